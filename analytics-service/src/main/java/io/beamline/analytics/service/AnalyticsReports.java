package io.beamline.analytics.service;

import io.beamline.analytics.Bucket;
import io.beamline.analytics.Grouping;
import io.beamline.analytics.Metric;
import io.beamline.analytics.rest.AnalyticsViews.Bandwidth;
import io.beamline.analytics.rest.AnalyticsViews.GeoBytes;
import io.beamline.analytics.rest.AnalyticsViews.GeoPoint;
import io.beamline.analytics.rest.AnalyticsViews.GeoTotal;
import io.beamline.analytics.rest.AnalyticsViews.Live;
import io.beamline.analytics.rest.AnalyticsViews.Publishing;
import io.beamline.analytics.rest.AnalyticsViews.Recordings;
import io.beamline.analytics.rest.AnalyticsViews.Restream;
import io.beamline.analytics.rest.AnalyticsViews.Series;
import io.beamline.analytics.rest.AnalyticsViews.Totals;
import io.beamline.analytics.rest.AnalyticsViews.TrackingSeries;
import io.beamline.analytics.rest.AnalyticsViews.TrackingTotal;
import io.beamline.analytics.rest.AnalyticsViews.Viewers;
import io.beamline.analytics.rest.QueryRange;
import io.beamline.analytics.rest.QueryRange.Resolution;
import io.beamline.analytics.storage.TrafficQueries;
import io.beamline.analytics.storage.TrafficQueries.Query;
import io.beamline.analytics.storage.TrafficQueries.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Builds the REST answers from the aggregates, always for one account. */
@ApplicationScoped
public class AnalyticsReports {

  /** The key of an unknown country in geo answers. */
  public static final String UNKNOWN_COUNTRY = "unknown";

  private final TrafficQueries queries;

  public AnalyticsReports(TrafficQueries queries) {
    this.queries = queries;
  }

  public Totals accountTotal(String account, QueryRange range) {
    long[] m = total(query(account, range, Grouping.ACCOUNT, null, null));
    return totals(
        m, new Live(queries.liveStreams(account), null, queries.concurrentViewers(account)));
  }

  public Series accountSeries(String account, QueryRange range) {
    return series(slots(range), byBucket(query(account, range, Grouping.ACCOUNT, null, null)));
  }

  public Map<String, Totals> streamsTotal(String account, QueryRange range) {
    Map<String, long[]> byStream = new LinkedHashMap<>();
    range.names().forEach(n -> byStream.put(n, new long[Metric.ALL.size()]));
    for (Row row : query(account, range, Grouping.STREAM, range.names(), null)) {
      add(byStream.get(row.streamName()), row.metrics());
    }
    Map<String, Boolean> live = queries.live(account, range.names());
    Map<String, Long> viewers = queries.concurrentViewers(account, range.names());
    Map<String, Totals> answer = new LinkedHashMap<>();
    byStream.forEach(
        (name, m) ->
            answer.put(
                name,
                totals(
                    m,
                    new Live(
                        null, live.getOrDefault(name, false), viewers.getOrDefault(name, 0L)))));
    return answer;
  }

  public Map<String, Series> streamsSeries(String account, QueryRange range) {
    Map<String, Map<Instant, long[]>> byStream = new LinkedHashMap<>();
    range.names().forEach(n -> byStream.put(n, new HashMap<>()));
    for (Row row : query(account, range, Grouping.STREAM, range.names(), null)) {
      add(byStream.get(row.streamName()).computeIfAbsent(row.bucket(), b -> zero()), row.metrics());
    }
    Slots slots = slots(range);
    Map<String, Series> answer = new LinkedHashMap<>();
    byStream.forEach((name, buckets) -> answer.put(name, series(slots, buckets)));
    return answer;
  }

  public Map<String, GeoBytes> accountGeo(String account, QueryRange range) {
    return geo(query(account, range, Grouping.COUNTRY, null, null));
  }

  public Map<String, GeoTotal> accountGeoTotal(String account, QueryRange range) {
    return geoTotal(query(account, range, Grouping.COUNTRY, null, null));
  }

  public Map<String, Map<String, GeoPoint>> accountGeoSeries(String account, QueryRange range) {
    return geoSeries(range, query(account, range, Grouping.COUNTRY, null, null));
  }

  public Map<String, Map<String, GeoBytes>> streamsGeo(String account, QueryRange range) {
    Map<String, List<Row>> rows = byStreamName(account, range);
    Map<String, Map<String, GeoBytes>> answer = new LinkedHashMap<>();
    rows.forEach((name, list) -> answer.put(name, geo(list)));
    return answer;
  }

  public Map<String, Map<String, GeoTotal>> streamsGeoTotal(String account, QueryRange range) {
    Map<String, List<Row>> rows = byStreamName(account, range);
    Map<String, Map<String, GeoTotal>> answer = new LinkedHashMap<>();
    rows.forEach((name, list) -> answer.put(name, geoTotal(list)));
    return answer;
  }

  public Map<String, Map<String, Map<String, GeoPoint>>> streamsGeoSeries(
      String account, QueryRange range) {
    Map<String, List<Row>> rows = byStreamName(account, range);
    Map<String, Map<String, Map<String, GeoPoint>>> answer = new LinkedHashMap<>();
    rows.forEach((name, list) -> answer.put(name, geoSeries(range, list)));
    return answer;
  }

  /** Tracking id → one entry per stream watched under it. */
  public Map<String, List<TrackingTotal>> trackingTotal(String account, QueryRange range) {
    Map<String, List<TrackingTotal>> answer = new LinkedHashMap<>();
    range.names().forEach(n -> answer.put(n, new ArrayList<>()));
    for (Row row : query(account, range, Grouping.STREAM_TRACKING, null, range.names())) {
      answer
          .get(row.trackingId())
          .add(
              new TrackingTotal(
                  row.streamName(), null, sessionBandwidth(row.metrics()), viewers(row.metrics())));
    }
    return answer;
  }

  /** Stream name → one entry per tracking id it was watched under (untracked views apart). */
  public Map<String, List<TrackingTotal>> trackingStreamsTotal(String account, QueryRange range) {
    Map<String, List<TrackingTotal>> answer = new LinkedHashMap<>();
    range.names().forEach(n -> answer.put(n, new ArrayList<>()));
    for (Row row : query(account, range, Grouping.STREAM_TRACKING, range.names(), null)) {
      if (!row.trackingId().isEmpty()) {
        answer
            .get(row.streamName())
            .add(
                new TrackingTotal(
                    null,
                    row.trackingId(),
                    sessionBandwidth(row.metrics()),
                    viewers(row.metrics())));
      }
    }
    return answer;
  }

  public Map<String, List<TrackingSeries>> trackingSeries(String account, QueryRange range) {
    Slots slots = slots(range);
    Map<String, Map<String, Map<Instant, long[]>>> grouped = new LinkedHashMap<>();
    range.names().forEach(n -> grouped.put(n, new TreeMap<>()));
    for (Row row : query(account, range, Grouping.STREAM_TRACKING, null, range.names())) {
      add(
          grouped
              .get(row.trackingId())
              .computeIfAbsent(row.streamName(), s -> new TreeMap<>())
              .computeIfAbsent(row.bucket(), b -> zero()),
          row.metrics());
    }
    Map<String, List<TrackingSeries>> answer = new LinkedHashMap<>();
    grouped.forEach(
        (tracking, streams) -> {
          List<TrackingSeries> list = new ArrayList<>();
          streams.forEach(
              (stream, buckets) ->
                  list.add(
                      new TrackingSeries(
                          stream,
                          null,
                          dense(slots, buckets, AnalyticsReports::sessionBandwidth),
                          dense(slots, buckets, AnalyticsReports::viewers))));
          answer.put(tracking, list);
        });
    return answer;
  }

  public Map<String, List<TrackingSeries>> trackingStreamsSeries(String account, QueryRange range) {
    Slots slots = slots(range);
    Map<String, Map<String, Map<Instant, long[]>>> grouped = new LinkedHashMap<>();
    range.names().forEach(n -> grouped.put(n, new TreeMap<>()));
    for (Row row : query(account, range, Grouping.STREAM_TRACKING, range.names(), null)) {
      if (row.trackingId().isEmpty()) {
        continue;
      }
      add(
          grouped
              .get(row.streamName())
              .computeIfAbsent(row.trackingId(), s -> new TreeMap<>())
              .computeIfAbsent(row.bucket(), b -> zero()),
          row.metrics());
    }
    Map<String, List<TrackingSeries>> answer = new LinkedHashMap<>();
    grouped.forEach(
        (stream, trackings) -> {
          List<TrackingSeries> list = new ArrayList<>();
          trackings.forEach(
              (tracking, buckets) ->
                  list.add(
                      new TrackingSeries(
                          null,
                          tracking,
                          dense(slots, buckets, AnalyticsReports::sessionBandwidth),
                          dense(slots, buckets, AnalyticsReports::viewers))));
          answer.put(stream, list);
        });
    return answer;
  }

  private Map<String, List<Row>> byStreamName(String account, QueryRange range) {
    Map<String, List<Row>> rows = new LinkedHashMap<>();
    range.names().forEach(n -> rows.put(n, new ArrayList<>()));
    for (Row row : query(account, range, Grouping.STREAM_COUNTRY, range.names(), null)) {
      rows.get(row.streamName()).add(row);
    }
    return rows;
  }

  private List<Row> query(
      String account,
      QueryRange range,
      Grouping grouping,
      List<String> streams,
      List<String> trackingIds) {
    Resolution res = range.resolution();
    Bucket bucket = res == null ? range.totalsBucket() : res.stored();
    return queries.query(
        new Query(
            account,
            bucket,
            grouping,
            range.from(),
            range.to(),
            res != null,
            res == Resolution.Month,
            streams,
            trackingIds));
  }

  private static Map<String, GeoBytes> geo(List<Row> rows) {
    Map<String, long[]> byCountry = byCountry(rows);
    Map<String, GeoBytes> answer = new TreeMap<>();
    byCountry.forEach(
        (c, m) ->
            answer.put(
                c,
                new GeoBytes(
                    m[Metric.SESSION_BYTES_OUT.ordinal()], m[Metric.VIEWER_SESSIONS.ordinal()])));
    return answer;
  }

  private static Map<String, GeoTotal> geoTotal(List<Row> rows) {
    Map<String, GeoTotal> answer = new TreeMap<>();
    byCountry(rows).forEach((c, m) -> answer.put(c, geoTotal(m)));
    return answer;
  }

  private static GeoTotal geoTotal(long[] m) {
    return new GeoTotal(
        m[Metric.FEED_BYTES_IN.ordinal()],
        m[Metric.SESSION_BYTES_OUT.ordinal()],
        m[Metric.PUBLISH_SECONDS.ordinal()],
        m[Metric.VIEW_SECONDS.ordinal()]);
  }

  private static Map<String, Map<String, GeoPoint>> geoSeries(QueryRange range, List<Row> rows) {
    Map<String, Map<String, GeoPoint>> answer = new LinkedHashMap<>();
    for (Instant b : buckets(range)) {
      answer.put(b.toString(), new TreeMap<>());
    }
    Map<Instant, Map<String, long[]>> grouped = new TreeMap<>();
    for (Row row : rows) {
      add(
          grouped
              .computeIfAbsent(row.bucket(), b -> new TreeMap<>())
              .computeIfAbsent(country(row), c -> zero()),
          row.metrics());
    }
    grouped.forEach(
        (b, countries) -> {
          Map<String, GeoPoint> points = answer.computeIfAbsent(b.toString(), k -> new TreeMap<>());
          countries.forEach(
              (c, m) ->
                  points.put(
                      c,
                      new GeoPoint(
                          m[Metric.FEED_BYTES_IN.ordinal()],
                          m[Metric.SESSION_BYTES_OUT.ordinal()],
                          m[Metric.PUBLISH_SECONDS.ordinal()],
                          m[Metric.VIEW_SECONDS.ordinal()],
                          m[Metric.FEEDS_STARTED.ordinal()],
                          m[Metric.VIEWER_SESSIONS.ordinal()])));
        });
    return answer;
  }

  private static Map<String, long[]> byCountry(List<Row> rows) {
    Map<String, long[]> byCountry = new TreeMap<>();
    for (Row row : rows) {
      add(byCountry.computeIfAbsent(country(row), c -> zero()), row.metrics());
    }
    return byCountry;
  }

  private static String country(Row row) {
    return row.country().isEmpty() ? UNKNOWN_COUNTRY : row.country();
  }

  private static Map<Instant, long[]> byBucket(List<Row> rows) {
    Map<Instant, long[]> buckets = new HashMap<>();
    for (Row row : rows) {
      add(buckets.computeIfAbsent(row.bucket(), b -> zero()), row.metrics());
    }
    return buckets;
  }

  private static Series series(Slots slots, Map<Instant, long[]> buckets) {
    return new Series(
        dense(slots, buckets, m -> new Bandwidth(m[idx(Metric.BYTES_IN)], totalOut(m))),
        dense(slots, buckets, AnalyticsReports::standard),
        dense(slots, buckets, AnalyticsReports::restream),
        dense(slots, buckets, AnalyticsReports::viewers),
        dense(slots, buckets, AnalyticsReports::publishing));
  }

  /**
   * The bucket starts of a series range with their ISO-8601 keys, computed once per answer: a
   * 30-day hourly answer for 10 streams has 36,000 entries, and formatting each key again showed up
   * as a large share of the answer time.
   */
  private record Slots(List<Instant> starts, List<String> keys) {}

  private static Slots slots(QueryRange range) {
    List<Instant> starts = buckets(range);
    return new Slots(starts, starts.stream().map(Instant::toString).toList());
  }

  /** Every bucket of the range, zero where nothing happened, so charts need no gap filling. */
  private static <T> Map<String, T> dense(
      Slots slots, Map<Instant, long[]> buckets, Function<long[], T> view) {
    Map<String, T> answer = new LinkedHashMap<>(slots.starts().size() * 2);
    T zero = view.apply(zero());
    List<Instant> starts = slots.starts();
    List<String> keys = slots.keys();
    for (int i = 0; i < starts.size(); i++) {
      long[] m = buckets.get(starts.get(i));
      answer.put(keys.get(i), m == null ? zero : view.apply(m));
    }
    return answer;
  }

  /** Bucket starts of a series range. */
  static List<Instant> buckets(QueryRange range) {
    List<Instant> starts = new ArrayList<>();
    Resolution res = range.resolution();
    Instant b =
        res == Resolution.Month
            ? range
                .from()
                .atOffset(ZoneOffset.UTC)
                .withDayOfMonth(1)
                .toLocalDate()
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
            : res.stored().start(range.from());
    while (b.isBefore(range.to())) {
      starts.add(b);
      b =
          res == Resolution.Month
              ? b.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant()
              : b.plus(1, res.stored().unit());
    }
    return starts;
  }

  private static Totals totals(long[] m, Live live) {
    return new Totals(
        m[idx(Metric.BYTES_IN)],
        totalOut(m),
        standard(m),
        restream(m),
        viewers(m),
        publishing(m),
        new Recordings(
            m[idx(Metric.RECORDINGS_STARTED)],
            m[idx(Metric.RECORDINGS_COMPLETED)],
            m[idx(Metric.RECORDINGS_FAILED)],
            m[idx(Metric.RECORDING_SECONDS)],
            m[idx(Metric.RECORDING_BYTES)]),
        live);
  }

  private static long totalOut(long[] m) {
    return m[idx(Metric.BYTES_OUT)] + m[idx(Metric.RESTREAM_BYTES_OUT)];
  }

  private static Bandwidth standard(long[] m) {
    return new Bandwidth(m[idx(Metric.BYTES_IN)], m[idx(Metric.BYTES_OUT)]);
  }

  private static Bandwidth sessionBandwidth(long[] m) {
    return new Bandwidth(0, m[idx(Metric.SESSION_BYTES_OUT)]);
  }

  private static Restream restream(long[] m) {
    return new Restream(
        m[idx(Metric.RESTREAM_BYTES_OUT)],
        m[idx(Metric.RESTREAM_SECONDS)],
        m[idx(Metric.RESTREAMS_STARTED)],
        m[idx(Metric.RESTREAMS_FAILED)]);
  }

  private static Viewers viewers(long[] m) {
    long seconds = m[idx(Metric.VIEW_SECONDS)];
    return new Viewers(
        m[idx(Metric.VIEWER_SESSIONS)],
        m[idx(Metric.SESSIONS_ENDED)],
        seconds,
        seconds / 60.0,
        m[idx(Metric.PEAK_VIEWERS)],
        m[idx(Metric.SESSION_BYTES_OUT)]);
  }

  private static Publishing publishing(long[] m) {
    long seconds = m[idx(Metric.PUBLISH_SECONDS)];
    return new Publishing(
        m[idx(Metric.STREAMS_STARTED)],
        m[idx(Metric.FEEDS_STARTED)],
        seconds,
        seconds / 60.0,
        m[idx(Metric.FEED_BYTES_IN)],
        m[idx(Metric.PUBLISHER_FAILURES)],
        m[idx(Metric.SOURCE_SWITCHES)]);
  }

  private static long[] total(List<Row> rows) {
    long[] m = zero();
    rows.forEach(r -> add(m, r.metrics()));
    return m;
  }

  private static void add(long[] into, long[] values) {
    for (Metric metric : Metric.ALL) {
      int i = metric.ordinal();
      into[i] = metric.isMaximum() ? Math.max(into[i], values[i]) : into[i] + values[i];
    }
  }

  private static long[] zero() {
    return new long[Metric.ALL.size()];
  }

  private static int idx(Metric metric) {
    return metric.ordinal();
  }
}
