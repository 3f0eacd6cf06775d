package io.beamline.analytics.graphql;

import io.beamline.analytics.Bucket;
import io.beamline.analytics.Grouping;
import io.beamline.analytics.config.AnalyticsConfig;
import io.beamline.analytics.graphql.GraphTypes.AccountStat;
import io.beamline.analytics.graphql.GraphTypes.AccountStatConnection;
import io.beamline.analytics.graphql.GraphTypes.AccountStatEdge;
import io.beamline.analytics.graphql.GraphTypes.AccountStatFilter;
import io.beamline.analytics.graphql.GraphTypes.AccountStatPagination;
import io.beamline.analytics.graphql.GraphTypes.Client;
import io.beamline.analytics.graphql.GraphTypes.Feed;
import io.beamline.analytics.graphql.GraphTypes.FeedConnection;
import io.beamline.analytics.graphql.GraphTypes.FeedEdge;
import io.beamline.analytics.graphql.GraphTypes.FeedFilter;
import io.beamline.analytics.graphql.GraphTypes.FeedPagination;
import io.beamline.analytics.graphql.GraphTypes.Geo;
import io.beamline.analytics.graphql.GraphTypes.LiveViewers;
import io.beamline.analytics.graphql.GraphTypes.PageInfo;
import io.beamline.analytics.graphql.GraphTypes.PaginationInfo;
import io.beamline.analytics.graphql.GraphTypes.StatResolution;
import io.beamline.analytics.graphql.GraphTypes.StreamStat;
import io.beamline.analytics.graphql.GraphTypes.StreamStatConnection;
import io.beamline.analytics.graphql.GraphTypes.StreamStatEdge;
import io.beamline.analytics.graphql.GraphTypes.StreamStatFilter;
import io.beamline.analytics.graphql.GraphTypes.StreamStatPagination;
import io.beamline.analytics.graphql.GraphTypes.StreamView;
import io.beamline.analytics.graphql.GraphTypes.StreamViewConnection;
import io.beamline.analytics.graphql.GraphTypes.StreamViewEdge;
import io.beamline.analytics.graphql.GraphTypes.StreamViewFilter;
import io.beamline.analytics.graphql.GraphTypes.StreamViewPagination;
import io.beamline.analytics.storage.ModelQueries;
import io.beamline.analytics.storage.ModelQueries.Key;
import io.beamline.analytics.storage.ModelQueries.Model;
import io.beamline.analytics.storage.ModelQueries.Where;
import io.beamline.analytics.storage.TrafficQueries;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

/**
 * The reference API's GraphQL models (Feed, StreamView, StreamStat, AccountStat) with their
 * FindOne, FindMany, Count, Connection and Pagination resolvers, plus a live viewers subscription;
 * every answer is limited to the caller's account.
 */
@GraphQLApi
@RolesAllowed(ApiScopes.ANALYTICS_READ)
public class AnalyticsGraphApi {

  /** Largest page any resolver returns. */
  static final int MAX_PAGE = 100;

  private static final Model<Feed> FEED =
      new Model<>(
          "account_id, feed_id, stream_name, cluster_id, source_id, country, protocol,"
              + " started_at, ended_at, duration_seconds, bytes_in, started_event_id,"
              + " ended_event_id",
          "feed",
          "started_at",
          "feed_id",
          rs ->
              new Feed(
                  rs.getString("account_id"),
                  rs.getString("account_id") + "/" + rs.getString("stream_name"),
                  rs.getString("stream_name"),
                  rs.getString("feed_id"),
                  rs.getString("source_id"),
                  rs.getString("cluster_id"),
                  rs.getString("country"),
                  lower(rs.getString("protocol")),
                  ModelQueries.instant(rs, "started_at"),
                  ModelQueries.instant(rs, "ended_at"),
                  rs.getObject("ended_event_id") == null,
                  ModelQueries.nullableLong(rs, "duration_seconds"),
                  ModelQueries.nullableLong(rs, "bytes_in")));

  private static final Model<StreamView> VIEW =
      new Model<>(
          "account_id, view_id, stream_name, cluster_id, tracking_id, country, protocol,"
              + " started_at, ended_at, watched_seconds, bytes_out, joined_event_id",
          "stream_view",
          "started_at",
          "view_id",
          rs ->
              new StreamView(
                  rs.getString("account_id"),
                  rs.getString("account_id") + "/" + rs.getString("stream_name"),
                  rs.getString("stream_name"),
                  rs.getString("view_id"),
                  rs.getString("cluster_id"),
                  ModelQueries.instant(rs, "started_at"),
                  ModelQueries.instant(rs, "ended_at"),
                  rs.getTimestamp("ended_at") == null && rs.getObject("joined_event_id") != null,
                  new Client(
                      rs.getString("tracking_id"),
                      lower(rs.getString("protocol")),
                      new Geo(rs.getString("country"))),
                  ModelQueries.nullableLong(rs, "watched_seconds"),
                  ModelQueries.nullableLong(rs, "bytes_out")));

  private static final String STAT_COLUMNS =
      "account_id, res, bucket, stream_name, viewer_sessions, sessions_ended, bytes_in,"
          + " bytes_out, peak_viewers, view_seconds";

  private static final Model<StreamStat> STREAM_STAT =
      new Model<>(
          STAT_COLUMNS,
          "traffic",
          "bucket",
          "stream_name",
          rs -> {
            Instant from = ModelQueries.instant(rs, "bucket");
            return new StreamStat(
                rs.getString("account_id"),
                rs.getString("account_id") + "/" + rs.getString("stream_name"),
                rs.getString("stream_name"),
                from,
                end(from, rs.getString("res")),
                rs.getLong("viewer_sessions"),
                rs.getLong("sessions_ended"),
                rs.getLong("bytes_in"),
                rs.getLong("bytes_out"),
                rs.getLong("peak_viewers"),
                rs.getLong("view_seconds"));
          });

  private static final Model<AccountStat> ACCOUNT_STAT =
      new Model<>(
          STAT_COLUMNS
              + ", (select count(*) from traffic s where s.account_id = traffic.account_id"
              + " and s.res = traffic.res and s.grp = 'S' and s.bucket = traffic.bucket) streams",
          "traffic",
          "bucket",
          "account_id",
          rs -> {
            Instant from = ModelQueries.instant(rs, "bucket");
            return new AccountStat(
                rs.getString("account_id"),
                from,
                end(from, rs.getString("res")),
                rs.getLong("viewer_sessions"),
                rs.getLong("sessions_ended"),
                rs.getLong("streams"),
                rs.getLong("bytes_in"),
                rs.getLong("bytes_out"),
                rs.getLong("peak_viewers"),
                rs.getLong("view_seconds"));
          });

  private final ModelQueries models;
  private final TrafficQueries traffic;
  private final Caller caller;
  private final Duration livePoll;

  public AnalyticsGraphApi(
      ModelQueries models, TrafficQueries traffic, Caller caller, AnalyticsConfig config) {
    this.models = models;
    this.traffic = traffic;
    this.caller = caller;
    this.livePoll = config.graphql().livePollInterval();
  }

  // ---- Feed

  @Query
  @Description("One feed by id")
  public Feed feedFindOne(@NonNull String feedId) {
    return first(models.page(FEED, feeds(null).and("feed_id = ?", feedId), 0, 1));
  }

  @Query
  @Description("Feeds in start order")
  public List<Feed> feedFindMany(FeedFilter filter, @DefaultValue("20") int limit) {
    return models.page(FEED, feeds(filter), 0, size("limit", limit));
  }

  @Query
  public long feedCount(FeedFilter filter) {
    return models.count(FEED, feeds(filter));
  }

  @Query
  public FeedPagination feedPagination(
      FeedFilter filter, @DefaultValue("1") int page, @DefaultValue("20") int perPage) {
    Where where = feeds(filter);
    return new FeedPagination(
        models.page(FEED, where, offset(page, perPage), perPage),
        pagination(page, perPage, models.count(FEED, where)));
  }

  @Query
  public FeedConnection feedConnection(
      FeedFilter filter, @DefaultValue("20") int first, String after) {
    Where where = feeds(filter);
    return connection(
        FEED,
        where,
        first,
        after,
        f -> new Key(f.started(), f.feedId()),
        FeedEdge::new,
        (info, edges) -> new FeedConnection(models.count(FEED, where), info, edges));
  }

  // ---- StreamView

  @Query
  @Description("One viewer session by id")
  public StreamView streamViewFindOne(@NonNull String streamViewId) {
    return first(models.page(VIEW, views(null).and("view_id = ?", streamViewId), 0, 1));
  }

  @Query
  @Description("Viewer sessions in start order")
  public List<StreamView> streamViewFindMany(
      StreamViewFilter filter, @DefaultValue("20") int limit) {
    return models.page(VIEW, views(filter), 0, size("limit", limit));
  }

  @Query
  public long streamViewCount(StreamViewFilter filter) {
    return models.count(VIEW, views(filter));
  }

  @Query
  public StreamViewPagination streamViewPagination(
      StreamViewFilter filter, @DefaultValue("1") int page, @DefaultValue("20") int perPage) {
    Where where = views(filter);
    return new StreamViewPagination(
        models.page(VIEW, where, offset(page, perPage), perPage),
        pagination(page, perPage, models.count(VIEW, where)));
  }

  @Query
  public StreamViewConnection streamViewConnection(
      StreamViewFilter filter, @DefaultValue("20") int first, String after) {
    Where where = views(filter);
    return connection(
        VIEW,
        where,
        first,
        after,
        v -> new Key(v.started(), v.streamViewId()),
        StreamViewEdge::new,
        (info, edges) -> new StreamViewConnection(models.count(VIEW, where), info, edges));
  }

  // ---- StreamStat

  @Query
  @Description("One stream's stats for the bucket starting at 'from'")
  public StreamStat streamStatFindOne(
      @NonNull String streamName,
      @NonNull Instant from,
      @DefaultValue("HOUR") StatResolution resolution) {
    return first(
        models.page(
            STREAM_STAT,
            streamStats(new StreamStatFilter(streamName, resolution, null, null))
                .and("bucket = ?", from),
            0,
            1));
  }

  @Query
  @Description("Stream stats in bucket order")
  public List<StreamStat> streamStatFindMany(
      StreamStatFilter filter, @DefaultValue("20") int limit) {
    return models.page(STREAM_STAT, streamStats(filter), 0, size("limit", limit));
  }

  @Query
  public long streamStatCount(StreamStatFilter filter) {
    return models.count(STREAM_STAT, streamStats(filter));
  }

  @Query
  public StreamStatPagination streamStatPagination(
      StreamStatFilter filter, @DefaultValue("1") int page, @DefaultValue("20") int perPage) {
    Where where = streamStats(filter);
    return new StreamStatPagination(
        models.page(STREAM_STAT, where, offset(page, perPage), perPage),
        pagination(page, perPage, models.count(STREAM_STAT, where)));
  }

  @Query
  public StreamStatConnection streamStatConnection(
      StreamStatFilter filter, @DefaultValue("20") int first, String after) {
    Where where = streamStats(filter);
    return connection(
        STREAM_STAT,
        where,
        first,
        after,
        s -> new Key(s.from(), s.name()),
        StreamStatEdge::new,
        (info, edges) -> new StreamStatConnection(models.count(STREAM_STAT, where), info, edges));
  }

  // ---- AccountStat

  @Query
  @Description("The account's stats for the bucket starting at 'from'")
  public AccountStat accountStatFindOne(
      @NonNull Instant from, @DefaultValue("HOUR") StatResolution resolution) {
    return first(
        models.page(
            ACCOUNT_STAT,
            accountStats(new AccountStatFilter(resolution, null, null)).and("bucket = ?", from),
            0,
            1));
  }

  @Query
  @Description("Account stats in bucket order")
  public List<AccountStat> accountStatFindMany(
      AccountStatFilter filter, @DefaultValue("20") int limit) {
    return models.page(ACCOUNT_STAT, accountStats(filter), 0, size("limit", limit));
  }

  @Query
  public long accountStatCount(AccountStatFilter filter) {
    return models.count(ACCOUNT_STAT, accountStats(filter));
  }

  @Query
  public AccountStatPagination accountStatPagination(
      AccountStatFilter filter, @DefaultValue("1") int page, @DefaultValue("20") int perPage) {
    Where where = accountStats(filter);
    return new AccountStatPagination(
        models.page(ACCOUNT_STAT, where, offset(page, perPage), perPage),
        pagination(page, perPage, models.count(ACCOUNT_STAT, where)));
  }

  @Query
  public AccountStatConnection accountStatConnection(
      AccountStatFilter filter, @DefaultValue("20") int first, String after) {
    Where where = accountStats(filter);
    return connection(
        ACCOUNT_STAT,
        where,
        first,
        after,
        s -> new Key(s.from(), s.accountId()),
        AccountStatEdge::new,
        (info, edges) -> new AccountStatConnection(models.count(ACCOUNT_STAT, where), info, edges));
  }

  // ---- Live

  @Subscription
  @Description(
      "A stream's concurrent viewers (internal readers excluded), sent at once and then whenever"
          + " the number or the live state changes")
  public Multi<LiveViewers> liveViewers(@NonNull @Name("streamName") String streamName) {
    // Resolved now, on the subscribing request: the ticks below run outside of it.
    String account = caller.accountId();
    List<String> names = List.of(streamName);
    return Multi.createFrom()
        .ticks()
        .startingAfter(Duration.ofMillis(1))
        .every(livePoll)
        // A slow subscriber skips ticks instead of failing the subscription.
        .onOverflow()
        .drop()
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(
            tick ->
                new LiveViewers(
                    streamName,
                    traffic.live(account, names).getOrDefault(streamName, false),
                    traffic.concurrentViewers(account, names).getOrDefault(streamName, 0L),
                    Instant.now()))
        .skip()
        .repetitions();
  }

  // ---- helpers

  private Where feeds(FeedFilter f) {
    Where where = new Where("account_id", caller.accountId());
    if (f != null) {
      where
          .andIf(f.streamName(), "stream_name = ?")
          .andIf(f.startedFrom(), "started_at >= ?")
          .andIf(f.startedTo(), "started_at < ?");
      if (f.active() != null) {
        where.and(f.active() ? "ended_event_id is null" : "ended_event_id is not null");
      }
    }
    return where;
  }

  private Where views(StreamViewFilter f) {
    Where where = new Where("account_id", caller.accountId()).and("not internal_reader");
    if (f != null) {
      where
          .andIf(f.streamName(), "stream_name = ?")
          .andIf(f.trackingId(), "tracking_id = ?")
          .andIf(f.country(), "country = ?")
          .andIf(f.startedFrom(), "started_at >= ?")
          .andIf(f.startedTo(), "started_at < ?");
      if (f.active() != null) {
        where.and(
            f.active()
                ? "ended_at is null and joined_event_id is not null"
                : "ended_at is not null");
      }
    }
    return where;
  }

  private Where streamStats(StreamStatFilter f) {
    StatResolution res = f == null || f.resolution() == null ? StatResolution.HOUR : f.resolution();
    Where where =
        new Where("account_id", caller.accountId())
            .and("res = ?", bucket(res).code())
            .and("grp = ?", Grouping.STREAM.code());
    if (f != null) {
      where
          .andIf(f.streamName(), "stream_name = ?")
          .andIf(f.from(), "bucket >= ?")
          .andIf(f.to(), "bucket < ?");
    }
    return where;
  }

  private Where accountStats(AccountStatFilter f) {
    StatResolution res = f == null || f.resolution() == null ? StatResolution.HOUR : f.resolution();
    Where where =
        new Where("account_id", caller.accountId())
            .and("res = ?", bucket(res).code())
            .and("grp = ?", Grouping.ACCOUNT.code());
    if (f != null) {
      where.andIf(f.from(), "bucket >= ?").andIf(f.to(), "bucket < ?");
    }
    return where;
  }

  private <T, E, C> C connection(
      Model<T> model,
      Where where,
      int first,
      String after,
      Function<T, Key> key,
      BiFunction<String, T, E> edge,
      BiFunction<PageInfo, List<E>, C> build) {
    int size = size("first", first);
    Key start = after == null ? null : decode(after);
    List<T> rows = models.after(model, where, start, size + 1);
    boolean hasNext = rows.size() > size;
    List<T> page = hasNext ? rows.subList(0, size) : rows;
    List<E> edges = page.stream().map(r -> edge.apply(encode(key.apply(r)), r)).toList();
    String startCursor = page.isEmpty() ? null : encode(key.apply(page.get(0)));
    String endCursor = page.isEmpty() ? null : encode(key.apply(page.get(page.size() - 1)));
    boolean hasPrevious = !page.isEmpty() && models.anyBefore(model, where, key.apply(page.get(0)));
    return build.apply(new PageInfo(startCursor, endCursor, hasNext, hasPrevious), edges);
  }

  private static PaginationInfo pagination(int page, int perPage, long itemCount) {
    long pageCount = (itemCount + perPage - 1) / perPage;
    return new PaginationInfo(page, perPage, pageCount, itemCount, page < pageCount, page > 1);
  }

  private static long offset(int page, int perPage) {
    if (page < 1) {
      throw new InvalidArgumentException("page must be at least 1");
    }
    size("perPage", perPage);
    return (long) (page - 1) * perPage;
  }

  private static int size(String argument, int value) {
    if (value < 1 || value > MAX_PAGE) {
      throw new InvalidArgumentException(argument + " must be between 1 and " + MAX_PAGE);
    }
    return value;
  }

  static String encode(Key key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((key.time() + "|" + key.id()).getBytes(StandardCharsets.UTF_8));
  }

  static Key decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new Key(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
    } catch (RuntimeException e) {
      throw new InvalidArgumentException("after is not a cursor returned by this API");
    }
  }

  private static Bucket bucket(StatResolution res) {
    return switch (res) {
      case MINUTE -> Bucket.MINUTE;
      case HOUR -> Bucket.HOUR;
      case DAY -> Bucket.DAY;
    };
  }

  private static Instant end(Instant from, String res) {
    for (Bucket bucket : Bucket.values()) {
      if (bucket.code().equals(res)) {
        return from.plus(1, bucket.unit());
      }
    }
    return from;
  }

  private static <T> T first(List<T> rows) {
    return rows.isEmpty() ? null : rows.get(0);
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(java.util.Locale.ROOT);
  }
}
