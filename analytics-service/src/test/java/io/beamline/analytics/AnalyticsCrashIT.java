package io.beamline.analytics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.analytics.generator.Expected;
import io.beamline.analytics.generator.Expected.Tally;
import io.beamline.analytics.generator.SyntheticDay;
import io.beamline.devstack.Ports;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.ServiceProcess;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.auth.ApiScopes;
import io.restassured.specification.RequestSpecification;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of ingestion with a real process: the packaged analytics-service is SIGKILLed while
 * it works through a backlog of a seeded synthetic day, more events (redeliveries of events it had
 * already consumed among them) are published while it is down, and once it has been started again
 * and caught up, every REST and GraphQL total equals what the test computes from the distinct
 * events: nothing lost, nothing counted twice.
 *
 * <p>The kill falls where a crash could count twice: a test-only deferred trigger holds a batch's
 * transaction in its COMMIT while the service is killed, so PostgreSQL has the batch and Kafka
 * never gets its offsets. The test checks that every event whose offset the dead instance committed
 * is in its database and that the held batch is too; after the restart those events come again,
 * with 2,000 redelivered ones it had committed, and must change nothing.
 */
class AnalyticsCrashIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT_A =
      "CRASH" + Long.toString(System.nanoTime() % 1_000_000, 36).toUpperCase();
  private static final String ACCOUNT_B = ACCOUNT_A + "B";
  private static final String GROUP = "analytics-crash-it-" + ACCOUNT_A.toLowerCase();
  // Yesterday (UTC): inside the default 7 days of hour data.
  private static final LocalDate DAY = LocalDate.now(ZoneOffset.UTC).minusDays(1);
  private static final String START = DAY.toString();
  private static final String STOP = DAY.plusDays(1).toString();

  /**
   * Kafka hands a killed member's partitions on after its session timeout: 6 s (the broker's
   * minimum) rather than the default 45 s keeps the restart quick.
   */
  private static final String SESSION_TIMEOUT = "6s";

  /**
   * Small batches (500 events, one transaction and one offset commit each): many commits before the
   * kill, and most of the backlog still to read when it comes.
   */
  private static final int BATCH_EVENTS = 500;

  /** Records the killed instance must have committed first (of about 31,000 before the kill). */
  private static final long KILL_AFTER_COMMITTED = 3_000;

  /** Already consumed events published again while the service is down. */
  private static final int REDELIVERIES = 2_000;

  private static final Map<String, String> env = new LinkedHashMap<>();
  private static final List<ServiceProcess> started = new ArrayList<>();
  private static Map<String, String> infra;
  private static Path jar;
  private static Admin admin;

  @BeforeAll
  static void startInstance() throws URISyntaxException {
    BeamlineInfraResource resource = new BeamlineInfraResource();
    resource.init(Map.of(BeamlineInfraResource.DATABASE, "analytics_crash_it"));
    infra = resource.start();
    admin = BeamlineInfraResource.kafka().admin();
    jar =
        Path.of(System.getProperty("beamline.analytics.jar", "target/quarkus-app/quarkus-run.jar"));
    env.put("QUARKUS_DATASOURCE_JDBC_URL", infra.get("quarkus.datasource.jdbc.url"));
    env.put("QUARKUS_DATASOURCE_USERNAME", infra.get("quarkus.datasource.username"));
    env.put("QUARKUS_DATASOURCE_PASSWORD", infra.get("quarkus.datasource.password"));
    env.put("KAFKA_BOOTSTRAP_SERVERS", infra.get("kafka.bootstrap.servers"));
    // The test-only key pair: keys minted by TestApiKeys verify against this JWKS.
    env.put(
        "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
        Path.of(AnalyticsCrashIT.class.getResource("/test-jwks.json").toURI()).toString());
    env.put("MP_JWT_VERIFY_ISSUER", TestApiKeys.ISSUER);
    env.put("ANALYTICS_INGEST_GROUP_ID", GROUP);
    env.put("ANALYTICS_INGEST_SESSION_TIMEOUT", SESSION_TIMEOUT);
    env.put("ANALYTICS_INGEST_MAX_BATCH_EVENTS", Integer.toString(BATCH_EVENTS));
    env.put("ANALYTICS_INGEST_MAX_POLL_RECORDS", Integer.toString(BATCH_EVENTS));
    started.add(instance("first").awaitReady(Duration.ofSeconds(120)));
  }

  /** Every instance, also on failure; the infrastructure stops with the test JVM. */
  @AfterAll
  static void stopAll() {
    started.forEach(ServiceProcess::close);
    if (admin != null) {
      admin.close();
    }
  }

  private static ServiceProcess instance(String name) {
    // One HTTP port per start: a killed JVM's port may linger a moment.
    return new ServiceProcess(
            jar,
            Ports.freePort(),
            env,
            Path.of("target/analytics-crash-it/analytics-" + name + ".log").toAbsolutePath())
        .start();
  }

  @Test
  void shouldLoseNothingAndCountNothingTwiceWhenKilledMidIngestion() throws Exception {
    SyntheticDay day =
        SyntheticDay.generate(20261125L, DAY, List.of(ACCOUNT_A, ACCOUNT_B), 150, 40);
    List<SyntheticDay.Published> deliveries = day.deliveries(11L, 0.05);
    int split = deliveries.size() * 7 / 10;
    List<SyntheticDay.Published> beforeKill = deliveries.subList(0, split);
    Map<UUID, SyntheticDay.Published> byId = new HashMap<>();
    day.events().forEach(p -> byId.put(p.event().eventId(), p));

    // 1. The service consumes while the first 70% are published. Once it has committed some of
    // them and still has a backlog, its next batch transaction is held in its COMMIT (a test-only
    // deferred trigger sleeps there) and the service is SIGKILLed meanwhile: PostgreSQL completes
    // that commit, and its offsets are never committed. The one moment where a crash could count
    // events twice, made certain instead of left to chance.
    long before = sum(AnalyticsTestSupport.ends(admin));
    ServiceProcess first = started.get(0);
    CompletableFuture<List<RecordMetadata>> publishing =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return AnalyticsTestSupport.publish(beforeKill);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await("the group commits " + KILL_AFTER_COMMITTED + " records and has more to read")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                sum(AnalyticsTestSupport.committed(admin, GROUP)) - before >= KILL_AFTER_COMMITTED
                    && AnalyticsTestSupport.lag(admin, GROUP) > 0);
    long lagAtKill;
    try (Connection db = database()) {
      holdCommits(db, true);
      await("an ingestion transaction held in its commit")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> count(db, HELD_COMMITS) > 0);
      lagAtKill = AnalyticsTestSupport.lag(admin, GROUP);
      first.kill();
      assertFalse(first.isAlive(), "killed");
      // The held commit completes, then every connection of the dead JVM goes.
      await("the killed instance's database sessions end")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> count(db, OTHER_SESSIONS) == 0);
      holdCommits(db, false);
    }
    assertTrue(lagAtKill > 0, "killed with a backlog, not after it");
    Map<TopicPartition, TreeMap<Long, UUID>> written =
        offsetsOf(beforeKill, publishing.get(60, TimeUnit.SECONDS));

    // Whatever the killed instance committed to Kafka is in its database: it commits offsets
    // only after the batch's transaction.
    Map<TopicPartition, Long> committedAtKill = AnalyticsTestSupport.committed(admin, GROUP);
    long consumedAtKill = sum(committedAtKill) - before;
    long publishedAtKill = sum(AnalyticsTestSupport.ends(admin)) - before;
    assertTrue(consumedAtKill < publishedAtKill, consumedAtKill + " of " + publishedAtKill);
    Set<UUID> committedIds = idsBelow(written, committedAtKill);
    Set<UUID> appliedIds = appliedEventIds();
    appliedIds.retainAll(byId.keySet());
    Set<UUID> committedNotApplied = new HashSet<>(committedIds);
    committedNotApplied.removeAll(appliedIds);
    assertEquals(Set.of(), committedNotApplied, "committed offsets of events not in the database");
    Set<UUID> appliedNotCommitted = new HashSet<>(appliedIds);
    appliedNotCommitted.removeAll(committedIds);
    assertFalse(appliedNotCommitted.isEmpty(), "the held batch was applied, not committed");

    // 2. While it is down: the other 30%, and again 2,000 events it had already consumed.
    List<UUID> consumed = new ArrayList<>(committedIds);
    Collections.sort(consumed);
    Collections.shuffle(consumed, new Random(5L));
    List<SyntheticDay.Published> whileDown =
        new ArrayList<>(deliveries.subList(split, deliveries.size()));
    consumed.stream().limit(REDELIVERIES).map(byId::get).forEach(whileDown::add);
    Collections.shuffle(whileDown, new Random(6L));
    AnalyticsTestSupport.publish(whileDown);

    // 3. Started again with the same database and group, it reads on from the committed offsets.
    long restart = System.nanoTime();
    ServiceProcess second = instance("second");
    started.add(second);
    second.awaitReady(Duration.ofSeconds(120));
    await("the group has no lag")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> AnalyticsTestSupport.lag(admin, GROUP) == 0);
    long caughtUpMillis = (System.nanoTime() - restart) / 1_000_000;
    System.out.printf(
        "[analytics-crash-it] %d distinct events, %d deliveries (5%% duplicated) + %d"
            + " redeliveries; killed with %d records committed (lag %d at the kill, %d published"
            + " before the restart phase); %d events applied but not committed at the kill"
            + " (replayed); restart to no lag %d ms;"
            + " duplicates skipped by the new instance: %s%n",
        day.events().size(),
        deliveries.size(),
        Math.min(REDELIVERIES, consumed.size()),
        consumedAtKill,
        lagAtKill,
        publishedAtKill,
        appliedNotCommitted.size(),
        caughtUpMillis,
        second.metric("beamline_inbox_duplicates_total"));
    assertTrue(consumed.size() >= REDELIVERIES, "redelivered already consumed events");

    // 4. Every total is what the distinct events say.
    Expected expected = new Expected(day.events());
    String keyA =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), ACCOUNT_A, Set.of(ApiScopes.ANALYTICS_READ));
    String keyB =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), ACCOUNT_B, Set.of(ApiScopes.ANALYTICS_READ));
    String base = second.baseUrl();
    for (String account : List.of(ACCOUNT_A, ACCOUNT_B)) {
      String key = account.equals(ACCOUNT_A) ? keyA : keyB;
      JsonNode total = get(base, key, "/api/analytics/account/total", Map.of());
      assertTotals(expected.tally(account, null), total, account);
      assertEquals(
          expected.peak(account, null, i -> true),
          total.at("/viewers/peakConcurrent").asLong(),
          "peak concurrent viewers of " + account);
      assertEquals(
          expected.liveStreams(account).size(), total.at("/live/streams").asLong(), "live");
      assertEquals(
          expected.watchingNow(account).values().stream().mapToLong(Long::longValue).sum(),
          total.at("/live/concurrentViewers").asLong(),
          "watching now");
    }
    assertCountries(expected, base, keyA);
    assertTrackingIds(expected, base, keyA);
    assertStreams(expected, base, keyA);
    assertGraphQl(expected, base, keyA);

    // Account B does not see A's feed (every B total above would also be off by A's numbers).
    String feedOfA = "f-" + ACCOUNT_A + "-stream-000";
    String query = "{ feedFindOne(feedId: \"" + feedOfA + "\") { feedId } }";
    assertTrue(graphql(base, keyB, query).at("/data/feedFindOne").isNull(), "B sees A's feed");
    assertEquals(feedOfA, graphql(base, keyA, query).at("/data/feedFindOne/feedId").asText());
  }

  /** Per viewer country: sessions, view time and bytes sent. */
  private static void assertCountries(Expected expected, String base, String key) throws Exception {
    Map<String, Tally> byCountry =
        expected.viewersBy(ACCOUNT_A, e -> Expected.country(viewerCountry(e)), e -> isViewer(e));
    assertTrue(byCountry.size() >= 8, "countries generated: " + byCountry.keySet());
    JsonNode geo = get(base, key, "/api/analytics/account/geo", Map.of());
    JsonNode geoTotal = get(base, key, "/api/analytics/account/geo_total", Map.of());
    byCountry.forEach(
        (country, t) -> {
          assertEquals(t.sessions, geo.at("/" + country + "/views").asLong(), country);
          assertEquals(t.sessionBytesOut, geo.at("/" + country + "/bytes").asLong(), country);
          assertEquals(
              t.viewSeconds, geoTotal.at("/" + country + "/viewDuration").asLong(), country);
          assertEquals(
              t.sessionBytesOut, geoTotal.at("/" + country + "/bytesOut").asLong(), country);
        });
    expected
        .publishingByCountry(ACCOUNT_A)
        .forEach(
            (country, t) -> {
              assertEquals(t.feedBytesIn, geoTotal.at("/" + country + "/bytesIn").asLong());
              assertEquals(
                  t.publishSeconds, geoTotal.at("/" + country + "/publishDuration").asLong());
            });
  }

  /** Per tracking id, over all streams: sessions, view time and bytes sent. */
  private static void assertTrackingIds(Expected expected, String base, String key)
      throws Exception {
    Map<String, Tally> byTracking =
        expected.viewersBy(ACCOUNT_A, AnalyticsCrashIT::trackingId, e -> true);
    assertEquals(4, byTracking.size(), "tracking ids generated");
    JsonNode total =
        get(
            base,
            key,
            "/api/analytics/tracking/total",
            Map.of("trackingIds", List.copyOf(byTracking.keySet())));
    byTracking.forEach(
        (id, t) -> {
          long sessions = 0;
          long ended = 0;
          long seconds = 0;
          long bytes = 0;
          for (JsonNode entry : total.get(id)) {
            sessions += entry.at("/viewers/sessions").asLong();
            ended += entry.at("/viewers/ended").asLong();
            seconds += entry.at("/viewers/viewSeconds").asLong();
            bytes += entry.at("/standardStream/bytesOut").asLong();
          }
          assertEquals(t.sessions, sessions, id);
          assertEquals(t.sessionsEnded, ended, id);
          assertEquals(t.viewSeconds, seconds, id);
          assertEquals(t.sessionBytesOut, bytes, id);
        });
  }

  /** Ten streams: every total and the peak. */
  private static void assertStreams(Expected expected, String base, String key) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      names.add(String.format("stream-%03d", i * 15));
    }
    JsonNode totals = get(base, key, "/api/analytics/streams/total", Map.of("streamNames", names));
    for (String name : names) {
      assertTotals(expected.tally(ACCOUNT_A, name), totals.get(name), name);
      assertEquals(
          expected.peak(ACCOUNT_A, name, i -> true),
          totals.at("/" + name + "/viewers/peakConcurrent").asLong(),
          "peak " + name);
    }
  }

  /** One GraphQL query: the day's account stats, sessions and feeds. */
  private static void assertGraphQl(Expected expected, String base, String key) throws Exception {
    Set<String> sessions = new HashSet<>();
    for (BeamlineEvent e : expected.events()) {
      if (e instanceof ViewerJoinedEvent v
          && v.accountId().equals(ACCOUNT_A)
          && !v.internalReader()) {
        sessions.add(v.viewerSessionId());
      }
    }
    Instant from = DAY.atStartOfDay(ZoneOffset.UTC).toInstant();
    JsonNode answer =
        graphql(
            base,
            key,
            "{ day: accountStatFindMany(filter: {resolution: DAY, from: \""
                + from
                + "\", to: \""
                + from.plusSeconds(86_400)
                + "\"}) { numStarted numEnded bytesIn peakViewers viewSeconds }"
                + " views: streamViewCount feeds: feedCount }");
    Tally t = expected.tally(ACCOUNT_A, null);
    assertEquals(1, answer.at("/data/day").size(), answer.toString());
    assertEquals(t.sessions, answer.at("/data/day/0/numStarted").asLong(), "numStarted");
    assertEquals(t.sessionsEnded, answer.at("/data/day/0/numEnded").asLong(), "numEnded");
    assertEquals(t.bytesIn, answer.at("/data/day/0/bytesIn").asLong(), "bytesIn");
    assertEquals(t.viewSeconds, answer.at("/data/day/0/viewSeconds").asLong(), "viewSeconds");
    assertEquals(
        expected.peak(ACCOUNT_A, null, i -> true),
        answer.at("/data/day/0/peakViewers").asLong(),
        "peakViewers");
    assertEquals(sessions.size(), answer.at("/data/views").asLong(), "streamViewCount");
    assertEquals(expected.feeds(ACCOUNT_A)[0], answer.at("/data/feeds").asLong(), "feedCount");
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
    assertEquals(t.sessionsEnded, total.at("/viewers/ended").asLong(), what + " ended");
    assertEquals(t.viewSeconds, total.at("/viewers/viewSeconds").asLong(), what + " viewSeconds");
    assertEquals(t.viewSeconds / 60.0, total.at("/viewers/viewMinutes").asDouble(), 1e-6, what);
    assertEquals(t.sessionBytesOut, total.at("/viewers/bytesOut").asLong(), what);
    assertEquals(t.streamsStarted, total.at("/publishing/streamsStarted").asLong(), what);
    assertEquals(t.feeds, total.at("/publishing/feeds").asLong(), what);
    assertEquals(t.publishSeconds, total.at("/publishing/publishSeconds").asLong(), what);
    assertEquals(
        t.publishSeconds / 60.0, total.at("/publishing/publishMinutes").asDouble(), 1e-6, what);
    assertEquals(t.feedBytesIn, total.at("/publishing/bytesIn").asLong(), what);
    assertEquals(t.publisherFailures, total.at("/publishing/failures").asLong(), what);
    assertEquals(t.sourceSwitches, total.at("/publishing/sourceSwitches").asLong(), what);
    assertEquals(t.recordingsStarted, total.at("/recordings/started").asLong(), what);
    assertEquals(t.recordingsCompleted, total.at("/recordings/completed").asLong(), what);
    assertEquals(t.recordingsFailed, total.at("/recordings/failed").asLong(), what);
    assertEquals(t.recordingSeconds, total.at("/recordings/seconds").asLong(), what);
    assertEquals(t.recordingBytes, total.at("/recordings/bytes").asLong(), what);
  }

  // ---- Kafka and database state at the kill

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Where each delivery was written: partition, then offset to event id. */
  private static Map<TopicPartition, TreeMap<Long, UUID>> offsetsOf(
      List<SyntheticDay.Published> deliveries, List<RecordMetadata> written) {
    Map<TopicPartition, TreeMap<Long, UUID>> offsets = new HashMap<>();
    for (int i = 0; i < deliveries.size(); i++) {
      RecordMetadata m = written.get(i);
      offsets
          .computeIfAbsent(new TopicPartition(m.topic(), m.partition()), tp -> new TreeMap<>())
          .put(m.offset(), deliveries.get(i).event().eventId());
    }
    return offsets;
  }

  /** The ids of the events published below {@code offsets} (what the group had committed). */
  private static Set<UUID> idsBelow(
      Map<TopicPartition, TreeMap<Long, UUID>> written, Map<TopicPartition, Long> offsets) {
    Set<UUID> ids = new HashSet<>();
    written.forEach(
        (tp, byOffset) -> ids.addAll(byOffset.headMap(offsets.getOrDefault(tp, 0L)).values()));
    return ids;
  }

  /**
   * Sessions of this database waiting in {@code pg_sleep}: only the test trigger sleeps, in an
   * ingestion transaction's COMMIT.
   */
  private static final String HELD_COMMITS =
      "select count(*) from pg_stat_activity where datname = current_database()"
          + " and wait_event = 'PgSleep' and pid <> pg_backend_pid()";

  /** Client sessions of this database other than the test's own. */
  private static final String OTHER_SESSIONS =
      "select count(*) from pg_stat_activity where datname = current_database()"
          + " and backend_type = 'client backend' and pid <> pg_backend_pid()";

  private static Connection database() throws Exception {
    return DriverManager.getConnection(
        infra.get("quarkus.datasource.jdbc.url"),
        infra.get("quarkus.datasource.username"),
        infra.get("quarkus.datasource.password"));
  }

  private static long count(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * Adds (or drops) a deferred trigger on the inbox that holds each transaction inserting into it
   * for a second inside its COMMIT, once per transaction. Test-only: the service never has it.
   */
  private static void holdCommits(Connection db, boolean hold) throws Exception {
    try (Statement s = db.createStatement()) {
      if (hold) {
        s.execute(
            "create or replace function crash_it_hold_commit() returns trigger"
                + " language plpgsql as $$ begin"
                + " if current_setting('crash_it.held', true) is distinct from 'yes' then"
                + " perform set_config('crash_it.held', 'yes', true); perform pg_sleep(1);"
                + " end if; return null; end $$");
        s.execute(
            "create constraint trigger crash_it_hold_commit after insert on ingested_event"
                + " deferrable initially deferred for each row"
                + " execute function crash_it_hold_commit()");
      } else {
        s.execute("drop trigger crash_it_hold_commit on ingested_event");
        s.execute("drop function crash_it_hold_commit()");
      }
    }
  }

  /**
   * The ids of the events the database holds as applied: the inbox of additive events and both
   * halves of every viewer session.
   */
  private static Set<UUID> appliedEventIds() throws Exception {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = database();
        PreparedStatement s =
            c.prepareStatement(
                "select event_id from ingested_event"
                    + " union all select joined_event_id from stream_view"
                    + " where account_id = any(?) and joined_event_id is not null"
                    + " union all select left_event_id from stream_view"
                    + " where account_id = any(?) and left_event_id is not null")) {
      Object[] accounts = {ACCOUNT_A, ACCOUNT_B};
      s.setArray(1, c.createArrayOf("text", accounts));
      s.setArray(2, c.createArrayOf("text", accounts));
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
      }
    }
    return ids;
  }

  // ---- HTTP

  private static JsonNode get(String base, String key, String path, Map<String, Object> params)
      throws Exception {
    RequestSpecification request =
        given()
            .baseUri(base)
            .auth()
            .oauth2(key)
            .queryParam("startDate", START)
            .queryParam("stopDate", STOP);
    for (Map.Entry<String, Object> p : new TreeMap<>(params).entrySet()) {
      if (p.getValue() instanceof List<?> list) {
        request = request.queryParam(p.getKey(), list.toArray());
      } else {
        request = request.queryParam(p.getKey(), p.getValue());
      }
    }
    return JSON.readTree(request.get(path).then().statusCode(200).extract().asString());
  }

  private static JsonNode graphql(String base, String key, String query) throws Exception {
    String body =
        given()
            .baseUri(base)
            .auth()
            .oauth2(key)
            .contentType("application/json")
            .body(JSON.writeValueAsString(Map.of("query", query)))
            .post("/graphql")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonNode answer = JSON.readTree(body);
    assertFalse(answer.has("errors"), answer.toString());
    return answer;
  }

  // ---- the generated events

  private static boolean isViewer(BeamlineEvent e) {
    return e instanceof ViewerJoinedEvent || e instanceof ViewerLeftEvent;
  }

  private static String viewerCountry(BeamlineEvent e) {
    if (e instanceof ViewerJoinedEvent v) {
      return v.clientCountry();
    }
    return ((ViewerLeftEvent) e).clientCountry();
  }

  private static String trackingId(BeamlineEvent e) {
    if (e instanceof ViewerJoinedEvent v) {
      return v.trackingId();
    }
    if (e instanceof ViewerLeftEvent v) {
      return v.trackingId();
    }
    return null;
  }
}
