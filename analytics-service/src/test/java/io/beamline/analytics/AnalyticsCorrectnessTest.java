package io.beamline.analytics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.analytics.generator.Expected;
import io.beamline.analytics.generator.Expected.Tally;
import io.beamline.analytics.generator.SyntheticDay;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.StreamScoped;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.auth.ApiScopes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A synthetic day of events for hundreds of streams and thousands of viewers, delivered through the
 * real broker shuffled and with duplicates, must answer every REST and GraphQL query exactly as
 * totals computed independently from the generated events say.
 */
@QuarkusTest
class AnalyticsCorrectnessTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT_A = "ACC" + Long.toString(System.nanoTime() % 100000, 36);
  private static final String ACCOUNT_B = ACCOUNT_A + "B";
  // Yesterday (UTC): inside the default 7 days of hour data.
  private static final LocalDate DAY = LocalDate.now(ZoneOffset.UTC).minusDays(1);
  private static final String START = DAY.toString();
  private static final String STOP = DAY.plusDays(1).toString();

  private static SyntheticDay day;
  private static Expected expected;
  private static String keyA;
  private static String keyB;

  static synchronized void ingestOnce() throws Exception {
    if (day != null) {
      return;
    }
    SyntheticDay generated =
        SyntheticDay.generate(20261124L, DAY, List.of(ACCOUNT_A, ACCOUNT_B), 150, 40);
    List<SyntheticDay.Published> deliveries = generated.deliveries(7L, 0.05);
    AnalyticsTestSupport.publish(deliveries);
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(90));
    expected = new Expected(generated.events());
    keyA = TestApiKeys.apiKey(TestApiKeys.nextKeyId(), ACCOUNT_A, Set.of(ApiScopes.ANALYTICS_READ));
    keyB = TestApiKeys.apiKey(TestApiKeys.nextKeyId(), ACCOUNT_B, Set.of(ApiScopes.ANALYTICS_READ));
    day = generated;
  }

  @Test
  void shouldGenerateHundredsOfStreamsAndThousandsOfViewers() throws Exception {
    ingestOnce();
    long streams = day.events().stream().map(SyntheticDay.Published::key).distinct().count();
    long sessions =
        day.events().stream().filter(p -> p.event() instanceof ViewerJoinedEvent).count();
    assertTrue(streams >= 300, "streams: " + streams);
    assertTrue(sessions >= 3000, "sessions: " + sessions);
    // Every kind of fact is present, so that every comparison below can fail.
    Tally t = expected.tally(ACCOUNT_A, null);
    for (long value :
        new long[] {
          t.bytesIn, t.statsBytesOut, t.restreamBytesOut, t.restreamsFailed, t.sessions,
          t.sessionsEnded, t.viewSeconds, t.publishSeconds, t.feedBytesIn, t.publisherFailures,
          t.sourceSwitches, t.recordingsCompleted, t.recordingsFailed
        }) {
      assertTrue(value > 0, "a fact kind is missing from the generated day");
    }
    assertTrue(expected.liveStreams(ACCOUNT_A).size() > 0, "no stream live at the end");
    assertTrue(
        day.events().stream()
            .anyMatch(p -> p.event() instanceof ViewerJoinedEvent v && v.internalReader()),
        "no internal reader");
    // Duplicates were delivered and recognised as such.
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    double duplicates =
        metrics
            .lines()
            .filter(
                l -> l.startsWith("beamline_inbox_duplicates_total{consumer=\"analytics-service\""))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
    assertTrue(duplicates > 0.04 * day.events().size(), "duplicates skipped: " + duplicates);
  }

  @Test
  void shouldAnswerAccountTotalsExactly() throws Exception {
    ingestOnce();
    for (String account : List.of(ACCOUNT_A, ACCOUNT_B)) {
      JsonNode total = get(key(account), "/api/analytics/account/total", range());
      Tally t = expected.tally(account, null);
      assertTotals(t, total, "account " + account);
      assertEquals(
          expected.peak(account, null, i -> true),
          total.at("/viewers/peakConcurrent").asLong(),
          "peak of " + account);
      assertEquals(
          expected.liveStreams(account).size(), total.at("/live/streams").asLong(), "live");
      assertEquals(
          expected.watchingNow(account).values().stream().mapToLong(Long::longValue).sum(),
          total.at("/live/concurrentViewers").asLong(),
          "watching now");
    }
  }

  @Test
  void shouldAnswerAccountHourSeriesExactly() throws Exception {
    ingestOnce();
    JsonNode series =
        get(keyA, "/api/analytics/account/series", range().with("resolution", "Hour"));
    assertEquals(24, series.get("bandwidth").size());
    for (int h = 0; h < 24; h++) {
      Instant from = day.dayStart().plus(h, ChronoUnit.HOURS);
      Instant to = from.plus(1, ChronoUnit.HOURS);
      String ts = from.toString();
      Tally stats =
          expected.tally(
              e ->
                  e.accountId().equals(ACCOUNT_A)
                      && e instanceof StreamStatsEvent s
                      && !s.intervalStart().isBefore(from)
                      && s.intervalStart().isBefore(to));
      Tally joins =
          expected.tally(
              e ->
                  e.accountId().equals(ACCOUNT_A)
                      && e instanceof ViewerJoinedEvent
                      && within(e, from, to));
      Tally leaves =
          expected.tally(
              e ->
                  e.accountId().equals(ACCOUNT_A)
                      && e instanceof ViewerLeftEvent
                      && within(e, from, to));
      assertEquals(stats.bytesIn, series.at("/bandwidth/" + ts + "/bytesIn").asLong(), ts);
      assertEquals(
          stats.statsBytesOut, series.at("/standardStream/" + ts + "/bytesOut").asLong(), ts);
      assertEquals(joins.sessions, series.at("/viewers/" + ts + "/sessions").asLong(), ts);
      assertEquals(leaves.viewSeconds, series.at("/viewers/" + ts + "/viewSeconds").asLong(), ts);
      assertEquals(
          expected.peak(ACCOUNT_A, null, i -> !i.isBefore(from) && i.isBefore(to)),
          series.at("/viewers/" + ts + "/peakConcurrent").asLong(),
          "peak " + ts);
    }
    // Day and Month series agree with the total.
    Tally t = expected.tally(ACCOUNT_A, null);
    JsonNode days = get(keyA, "/api/analytics/account/series", range().with("resolution", "Day"));
    assertEquals(t.bytesIn, days.at("/bandwidth/" + day.dayStart() + "/bytesIn").asLong());
    JsonNode months =
        get(keyA, "/api/analytics/account/series", range().with("resolution", "Month"));
    String month = DAY.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    assertEquals(t.sessions, months.at("/viewers/" + month + "/sessions").asLong());
  }

  @Test
  void shouldAnswerGeoExactly() throws Exception {
    ingestOnce();
    Map<String, Tally> byCountry =
        expected.viewersBy(
            ACCOUNT_A, e -> Expected.country(viewerCountry(e)), e -> viewerCountry(e) != MISSING);
    JsonNode geo = get(keyA, "/api/analytics/account/geo", range());
    JsonNode geoTotal = get(keyA, "/api/analytics/account/geo_total", range());
    Map<String, Tally> publishing = expected.publishingByCountry(ACCOUNT_A);
    Set<String> countries = new HashSet<>(byCountry.keySet());
    countries.addAll(publishing.keySet());
    assertEquals(countries, fieldNames(geoTotal));
    byCountry.forEach(
        (country, t) -> {
          assertEquals(t.sessionBytesOut, geo.at("/" + country + "/bytes").asLong(), country);
          assertEquals(t.sessions, geo.at("/" + country + "/views").asLong(), country);
          assertEquals(t.viewSeconds, geoTotal.at("/" + country + "/viewDuration").asLong());
          assertEquals(t.sessionBytesOut, geoTotal.at("/" + country + "/bytesOut").asLong());
        });
    publishing.forEach(
        (country, t) -> {
          assertEquals(t.feedBytesIn, geoTotal.at("/" + country + "/bytesIn").asLong(), country);
          assertEquals(t.publishSeconds, geoTotal.at("/" + country + "/publishDuration").asLong());
        });
    JsonNode geoSeries =
        get(keyA, "/api/analytics/account/geo_series", range().with("resolution", "Day"));
    byCountry.forEach(
        (country, t) ->
            assertEquals(
                t.sessions,
                geoSeries.at("/" + day.dayStart() + "/" + country + "/views").asLong()));
  }

  @Test
  void shouldAnswerStreamsExactly() throws Exception {
    ingestOnce();
    List<String> live = new ArrayList<>(expected.liveStreams(ACCOUNT_A));
    List<String> names = new ArrayList<>(live.subList(0, Math.min(3, live.size())));
    for (int i = 0; names.size() < 10; i++) {
      String name = String.format("stream-%03d", i);
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    JsonNode totals = get(keyA, "/api/analytics/streams/total", range().with("streamNames", names));
    JsonNode series =
        get(
            keyA,
            "/api/analytics/streams/series",
            range().with("resolution", "Day").with("streamNames", names));
    JsonNode geo = get(keyA, "/api/analytics/streams/geo", range().with("streamNames", names));
    JsonNode geoTotal =
        get(keyA, "/api/analytics/streams/geo_total", range().with("streamNames", names));
    JsonNode geoSeries =
        get(
            keyA,
            "/api/analytics/streams/geo_series",
            range().with("resolution", "Hour").with("streamNames", names));
    Map<String, Long> watching = expected.watchingNow(ACCOUNT_A);
    for (String name : names) {
      Tally t = expected.tally(ACCOUNT_A, name);
      assertTotals(t, totals.get(name), name);
      assertEquals(
          expected.peak(ACCOUNT_A, name, i -> true),
          totals.at("/" + name + "/viewers/peakConcurrent").asLong(),
          "peak " + name);
      assertEquals(live.contains(name), totals.at("/" + name + "/live/active").asBoolean(), name);
      assertEquals(
          watching.getOrDefault(name, 0L),
          totals.at("/" + name + "/live/concurrentViewers").asLong(),
          name);
      assertEquals(
          t.bytesIn, series.at("/" + name + "/bandwidth/" + day.dayStart() + "/bytesIn").asLong());
      Map<String, Tally> byCountry =
          expected.viewersBy(
              ACCOUNT_A,
              e -> Expected.country(viewerCountry(e)),
              e -> viewerCountry(e) != MISSING && streamName(e).equals(name));
      byCountry.forEach(
          (country, c) -> {
            assertEquals(c.sessions, geo.at("/" + name + "/" + country + "/views").asLong());
            assertEquals(
                c.viewSeconds, geoTotal.at("/" + name + "/" + country + "/viewDuration").asLong());
          });
      long views = 0;
      for (JsonNode hour : iterable(geoSeries.get(name))) {
        for (JsonNode country : iterable(hour)) {
          views += country.get("views").asLong();
        }
      }
      assertEquals(t.sessions, views, "hourly geo views of " + name);
    }
  }

  @Test
  void shouldAnswerTrackingExactly() throws Exception {
    ingestOnce();
    Map<String, Tally> byTracking = expected.viewersBy(ACCOUNT_A, e -> tracking(e), e -> true);
    List<String> ids = new ArrayList<>(byTracking.keySet());
    assertEquals(4, ids.size(), "tracking ids generated");
    JsonNode total = get(keyA, "/api/analytics/tracking/total", range().with("trackingIds", ids));
    JsonNode series =
        get(
            keyA,
            "/api/analytics/tracking/series",
            range().with("resolution", "Day").with("trackingIds", ids));
    for (String id : ids) {
      Tally t = byTracking.get(id);
      long sessions = 0;
      long seconds = 0;
      long bytes = 0;
      for (JsonNode entry : iterable(total.get(id))) {
        sessions += entry.at("/viewers/sessions").asLong();
        seconds += entry.at("/viewers/viewSeconds").asLong();
        bytes += entry.at("/standardStream/bytesOut").asLong();
      }
      assertEquals(t.sessions, sessions, id);
      assertEquals(t.viewSeconds, seconds, id);
      assertEquals(t.sessionBytesOut, bytes, id);
      long seriesSessions = 0;
      for (JsonNode entry : iterable(series.get(id))) {
        seriesSessions += entry.at("/viewers/" + day.dayStart() + "/sessions").asLong();
      }
      assertEquals(t.sessions, seriesSessions, id);
    }
    // Per stream: the tracking ids it was watched under.
    List<String> names = List.of("stream-000", "stream-001", "stream-002", "stream-003");
    JsonNode perStream =
        get(keyA, "/api/analytics/tracking/streams/total", range().with("streamNames", names));
    JsonNode perStreamSeries =
        get(
            keyA,
            "/api/analytics/tracking/streams/series",
            range().with("resolution", "Day").with("streamNames", names));
    for (String name : names) {
      Map<String, Tally> expectedByTracking =
          expected.viewersBy(ACCOUNT_A, e -> tracking(e), e -> streamName(e).equals(name));
      Map<String, Long> actual = new TreeMap<>();
      for (JsonNode entry : iterable(perStream.get(name))) {
        actual.put(entry.get("trackingId").asText(), entry.at("/viewers/sessions").asLong());
      }
      Map<String, Long> wanted = new TreeMap<>();
      expectedByTracking.forEach((k, v) -> wanted.put(k, v.sessions));
      assertEquals(wanted, actual, name);
      assertEquals(expectedByTracking.size(), perStreamSeries.get(name).size(), name);
    }
  }

  @Test
  void shouldAnswerGraphQlExactly() throws Exception {
    ingestOnce();
    long[] feeds = expected.feeds(ACCOUNT_A);
    JsonNode counts =
        graphql(
            keyA,
            "{ all: feedCount active: feedCount(filter: {active: true})"
                + " views: streamViewCount"
                + " watching: streamViewCount(filter: {active: true})"
                + " fr: streamViewCount(filter: {country: \"FR\"}) }");
    assertEquals(feeds[0], counts.at("/data/all").asLong());
    assertEquals(feeds[1], counts.at("/data/active").asLong());
    Set<String> sessionIds = new HashSet<>();
    long fr = 0;
    for (BeamlineEvent e : expected.events()) {
      if (e instanceof ViewerJoinedEvent v
          && v.accountId().equals(ACCOUNT_A)
          && !v.internalReader()) {
        sessionIds.add(v.viewerSessionId());
        if ("FR".equals(v.clientCountry())) {
          fr++;
        }
      }
    }
    assertEquals(sessionIds.size(), counts.at("/data/views").asLong());
    assertEquals(
        expected.watchingNow(ACCOUNT_A).values().stream().mapToLong(Long::longValue).sum(),
        counts.at("/data/watching").asLong());
    assertEquals(fr, counts.at("/data/fr").asLong());

    // Walking the whole connection visits every session once.
    Set<String> walked = new HashSet<>();
    String after = null;
    boolean more = true;
    while (more) {
      JsonNode page =
          graphql(
              keyA,
              "{ streamViewConnection(first: 100"
                  + (after == null ? "" : ", after: \"" + after + "\"")
                  + ") { count pageInfo { endCursor hasNextPage }"
                  + " edges { node { streamViewId accountId client { geo { country } } } } } }");
      JsonNode connection = page.at("/data/streamViewConnection");
      assertEquals(sessionIds.size(), connection.get("count").asLong());
      for (JsonNode edge : iterable(connection.get("edges"))) {
        assertTrue(walked.add(edge.at("/node/streamViewId").asText()), "visited twice");
        assertEquals(ACCOUNT_A, edge.at("/node/accountId").asText());
      }
      after = connection.at("/pageInfo/endCursor").asText();
      more = connection.at("/pageInfo/hasNextPage").asBoolean();
    }
    assertEquals(sessionIds, walked);

    JsonNode pagination =
        graphql(
            keyA,
            "{ streamViewPagination(page: 2, perPage: 50) { items { streamViewId }"
                + " pageInfo { currentPage perPage pageCount itemCount hasNextPage"
                + " hasPreviousPage } } }");
    JsonNode info = pagination.at("/data/streamViewPagination/pageInfo");
    assertEquals(sessionIds.size(), info.get("itemCount").asLong());
    assertEquals((sessionIds.size() + 49) / 50, info.get("pageCount").asLong());
    assertTrue(info.get("hasPreviousPage").asBoolean());
    assertEquals(50, pagination.at("/data/streamViewPagination/items").size());

    // Hourly account stats sum to the day's sessions; stream stats match the stream totals.
    JsonNode stats =
        graphql(
            keyA,
            "{ accountStatFindMany(filter: {resolution: HOUR}, limit: 100)"
                + " { from numStarted bytesIn streams }"
                + " accountStatCount(filter: {resolution: HOUR})"
                + " streamStatFindMany(filter: {streamName: \"stream-000\", resolution: DAY})"
                + " { name numStarted numEnded bytesIn peakViewers } }");
    long started = 0;
    long bytesIn = 0;
    for (JsonNode s : iterable(stats.at("/data/accountStatFindMany"))) {
      started += s.get("numStarted").asLong();
      bytesIn += s.get("bytesIn").asLong();
    }
    Tally t = expected.tally(ACCOUNT_A, null);
    assertEquals(t.sessions, started);
    assertEquals(t.bytesIn, bytesIn);
    assertEquals(
        stats.at("/data/accountStatFindMany").size(), stats.at("/data/accountStatCount").asLong());
    Tally s0 = expected.tally(ACCOUNT_A, "stream-000");
    assertEquals(s0.sessions, stats.at("/data/streamStatFindMany/0/numStarted").asLong());
    assertEquals(s0.bytesIn, stats.at("/data/streamStatFindMany/0/bytesIn").asLong());
    assertEquals(
        expected.peak(ACCOUNT_A, "stream-000", i -> true),
        stats.at("/data/streamStatFindMany/0/peakViewers").asLong());
  }

  @Test
  void shouldKeepAccountsApart() throws Exception {
    ingestOnce();
    // Account B asking about A's feed, sessions and streams sees nothing of A.
    String feedOfA = "f-" + ACCOUNT_A + "-stream-000";
    JsonNode one = graphql(keyB, "{ feedFindOne(feedId: \"" + feedOfA + "\") { feedId } }");
    assertTrue(one.at("/data/feedFindOne").isNull());
    JsonNode mine =
        graphql(keyA, "{ feedFindOne(feedId: \"" + feedOfA + "\") { feedId accountId } }");
    assertEquals(ACCOUNT_A, mine.at("/data/feedFindOne/accountId").asText());
    JsonNode views = graphql(keyB, "{ streamViewFindMany(limit: 100) { accountId } }");
    for (JsonNode v : iterable(views.at("/data/streamViewFindMany"))) {
      assertEquals(ACCOUNT_B, v.get("accountId").asText());
    }
    // A key of a third account with no events gets zeros everywhere.
    String stranger =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), "NOBODY", Set.of(ApiScopes.ANALYTICS_READ));
    JsonNode total = get(stranger, "/api/analytics/account/total", range());
    assertEquals(0, total.get("bytesIn").asLong());
    assertEquals(0, total.at("/viewers/sessions").asLong());
    JsonNode streams =
        get(
            stranger,
            "/api/analytics/streams/total",
            range().with("streamNames", List.of("stream-000")));
    assertEquals(0, streams.at("/stream-000/bytesIn").asLong());
    assertEquals(0, graphql(stranger, "{ streamViewCount }").at("/data/streamViewCount").asLong());
    // Without the analytics scope, or without a key, nothing is answered.
    String noScope =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), ACCOUNT_A, Set.of(ApiScopes.STREAMS_READ));
    given()
        .auth()
        .oauth2(noScope)
        .queryParam("startDate", START)
        .queryParam("stopDate", STOP)
        .get("/api/analytics/account/total")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given()
        .queryParam("startDate", START)
        .queryParam("stopDate", STOP)
        .get("/api/analytics/account/total")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .contentType("application/json")
        .body("{\"query\":\"{ feedCount }\"}")
        .post("/graphql")
        .then()
        .statusCode(401);
    JsonNode denied = graphql(noScope, "{ feedCount }");
    assertTrue(denied.has("errors"), denied.toString());
    assertTrue(
        denied.at("/data/feedCount").isMissingNode()
            || denied.at("/data/feedCount").isNull()
            || denied.at("/data").isNull());
  }

  @Test
  void shouldRefuseInvalidQueriesNamingTheField() throws Exception {
    ingestOnce();
    problem(
        "/api/analytics/account/series",
        Map.of("startDate", START, "stopDate", STOP, "resolution", "Week"),
        "resolution");
    problem(
        "/api/analytics/account/series",
        Map.of("startDate", START, "stopDate", STOP),
        "resolution");
    problem(
        "/api/analytics/account/total", Map.of("startDate", STOP, "stopDate", START), "stopDate");
    problem(
        "/api/analytics/account/total",
        Map.of("startDate", "yesterday", "stopDate", STOP),
        "startDate");
    problem("/api/analytics/account/total", Map.of("stopDate", STOP), "startDate");
    problem(
        "/api/analytics/streams/total",
        Map.of("startDate", START, "stopDate", STOP),
        "streamNames");
    List<String> eleven = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      eleven.add("s" + i);
    }
    given()
        .auth()
        .oauth2(keyA)
        .queryParam("startDate", START)
        .queryParam("stopDate", STOP)
        .queryParam("streamNames", eleven.toArray())
        .get("/api/analytics/streams/total")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("streamNames"));
    given()
        .auth()
        .oauth2(keyA)
        .queryParam("startDate", "2020-01-01")
        .queryParam("stopDate", STOP)
        .queryParam("resolution", "Hour")
        .get("/api/analytics/account/series")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("stopDate"));
    JsonNode badPage = graphql(keyA, "{ feedPagination(perPage: 1000) { items { feedId } } }");
    assertTrue(badPage.at("/errors/0/message").asText().contains("perPage"), badPage.toString());
  }

  @Test
  void shouldChangeNothingWhenEverythingIsDeliveredAgain() throws Exception {
    ingestOnce();
    JsonNode before = get(keyB, "/api/analytics/account/total", range());
    JsonNode seriesBefore =
        get(keyB, "/api/analytics/account/geo_series", range().with("resolution", "Hour"));
    // Redeliver all of account B's events, shuffled again.
    List<SyntheticDay.Published> again = new ArrayList<>();
    for (SyntheticDay.Published p : day.deliveries(99L, 0.0)) {
      if (p.event().accountId().equals(ACCOUNT_B)) {
        again.add(p);
      }
    }
    AnalyticsTestSupport.publish(again);
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(60));
    assertEquals(before, get(keyB, "/api/analytics/account/total", range()));
    assertEquals(
        seriesBefore,
        get(keyB, "/api/analytics/account/geo_series", range().with("resolution", "Hour")));
  }

  // ---- helpers

  private static final String MISSING = "\u0000";

  /** The viewer country of a viewer event, or MISSING for other events. */
  private static String viewerCountry(BeamlineEvent e) {
    if (e instanceof ViewerJoinedEvent v) {
      return v.clientCountry();
    }
    if (e instanceof ViewerLeftEvent v) {
      return v.clientCountry();
    }
    return MISSING;
  }

  private static String tracking(BeamlineEvent e) {
    if (e instanceof ViewerJoinedEvent v) {
      return v.trackingId();
    }
    if (e instanceof ViewerLeftEvent v) {
      return v.trackingId();
    }
    return null;
  }

  private static String streamName(BeamlineEvent e) {
    return ((StreamScoped) e).streamName();
  }

  private static boolean within(BeamlineEvent e, Instant from, Instant to) {
    return !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to);
  }

  private static void assertTotals(Tally t, JsonNode total, String what) {
    assertEquals(t.bytesIn, total.get("bytesIn").asLong(), what + " bytesIn");
    assertEquals(t.bytesOut(), total.get("bytesOut").asLong(), what + " bytesOut");
    assertEquals(t.statsBytesOut, total.at("/standardStream/bytesOut").asLong(), what);
    assertEquals(t.restreamBytesOut, total.at("/restream/bytesOut").asLong(), what);
    assertEquals(t.restreamSeconds, total.at("/restream/secondsUsed").asLong(), what);
    assertEquals(t.restreamsStarted, total.at("/restream/started").asLong(), what);
    assertEquals(t.restreamsFailed, total.at("/restream/failed").asLong(), what);
    assertEquals(t.sessions, total.at("/viewers/sessions").asLong(), what + " sessions");
    assertEquals(t.sessionsEnded, total.at("/viewers/ended").asLong(), what);
    assertEquals(t.viewSeconds, total.at("/viewers/viewSeconds").asLong(), what);
    assertEquals(t.sessionBytesOut, total.at("/viewers/bytesOut").asLong(), what);
    assertEquals(t.streamsStarted, total.at("/publishing/streamsStarted").asLong(), what);
    assertEquals(t.feeds, total.at("/publishing/feeds").asLong(), what);
    assertEquals(t.publishSeconds, total.at("/publishing/publishSeconds").asLong(), what);
    assertEquals(t.feedBytesIn, total.at("/publishing/bytesIn").asLong(), what);
    assertEquals(t.publisherFailures, total.at("/publishing/failures").asLong(), what);
    assertEquals(t.sourceSwitches, total.at("/publishing/sourceSwitches").asLong(), what);
    assertEquals(t.recordingsStarted, total.at("/recordings/started").asLong(), what);
    assertEquals(t.recordingsCompleted, total.at("/recordings/completed").asLong(), what);
    assertEquals(t.recordingsFailed, total.at("/recordings/failed").asLong(), what);
    assertEquals(t.recordingSeconds, total.at("/recordings/seconds").asLong(), what);
    assertEquals(t.recordingBytes, total.at("/recordings/bytes").asLong(), what);
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    List<JsonNode> list = new ArrayList<>();
    if (node != null) {
      node.elements().forEachRemaining(list::add);
    }
    return list;
  }

  private static String key(String account) {
    return account.equals(ACCOUNT_A) ? keyA : keyB;
  }

  /** Query parameters of a request. */
  private record Params(Map<String, Object> values) {
    Params with(String name, Object value) {
      Map<String, Object> copy = new TreeMap<>(values);
      copy.put(name, value);
      return new Params(copy);
    }
  }

  private static Params range() {
    return new Params(Map.of("startDate", START, "stopDate", STOP));
  }

  private static JsonNode get(String key, String path, Params params) throws Exception {
    RequestSpecification request = given().auth().oauth2(key);
    for (Map.Entry<String, Object> p : params.values().entrySet()) {
      if (p.getValue() instanceof List<?> list) {
        request = request.queryParam(p.getKey(), list.toArray());
      } else {
        request = request.queryParam(p.getKey(), p.getValue());
      }
    }
    String body = request.get(path).then().statusCode(200).extract().asString();
    return JSON.readTree(body);
  }

  private static JsonNode graphql(String key, String query) throws Exception {
    String body =
        given()
            .auth()
            .oauth2(key)
            .contentType("application/json")
            .body(JSON.writeValueAsString(Map.of("query", query)))
            .post("/graphql")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonNode node = JSON.readTree(body);
    return node;
  }

  private static void problem(String path, Map<String, String> params, String field) {
    RequestSpecification request = given().auth().oauth2(keyA);
    for (Map.Entry<String, String> p : params.entrySet()) {
      request = request.queryParam(p.getKey(), p.getValue());
    }
    request
        .get(path)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("errors.field", hasItem(field));
  }
}
