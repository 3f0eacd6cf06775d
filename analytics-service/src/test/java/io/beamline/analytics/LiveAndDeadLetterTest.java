package io.beamline.analytics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.analytics.generator.SyntheticDay;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.EventCatalog;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.Topics;
import io.beamline.platform.auth.ApiScopes;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The golden samples through the broker, the live viewers subscription over GraphQL WebSocket and
 * the dead-letter topic of unreadable records.
 */
@QuarkusTest
class LiveAndDeadLetterTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  @Inject Vertx vertx;

  @TestHTTPResource("/graphql")
  URL graphql;

  /** A contract sample moved to {@code account}, stream {@code stream}, a fresh id and time. */
  private static SyntheticDay.Published sample(
      String topic, String account, String stream, long sequence, Map<String, Object> changes)
      throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(EventSamples.load(topic));
    node.put("eventId", UUID.randomUUID().toString());
    node.put("accountId", account);
    node.put("streamId", account + "/" + stream);
    node.put("streamName", stream);
    node.put("sequence", sequence);
    node.put("occurredAt", Instant.now().toString());
    changes.forEach((k, v) -> node.set(k, JSON.valueToTree(v)));
    BeamlineEvent event = JSON.treeToValue(node, EventCatalog.forTopic(topic).payloadType());
    return new SyntheticDay.Published(topic, event);
  }

  @Test
  void shouldPushConcurrentViewersOfAStreamAsTheyChange() throws Exception {
    String account = "LIVE" + System.nanoTime() % 100000;
    String key =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of(ApiScopes.ANALYTICS_READ));
    String other =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), account + "X", Set.of(ApiScopes.ANALYTICS_READ));
    LinkedBlockingQueue<JsonNode> mine = subscribe(key, "keynote");
    LinkedBlockingQueue<JsonNode> theirs = subscribe(other, "keynote");
    assertEquals(state(false, 0), next(mine));
    assertEquals(state(false, 0), next(theirs));

    AnalyticsTestSupport.publish(
        List.of(
            sample("stream-started", account, "keynote", 2, Map.of()),
            sample(
                "viewer-joined",
                account,
                "keynote",
                3,
                Map.of("viewerSessionId", "vs-1", "internalReader", false)),
            sample(
                "viewer-joined",
                account,
                "keynote",
                4,
                Map.of("viewerSessionId", "vs-2", "internalReader", false)),
            // The recording worker: never an audience member.
            sample(
                "viewer-joined",
                account,
                "keynote",
                5,
                Map.of("viewerSessionId", "vs-rec", "internalReader", true))));
    assertEquals(state(true, 2), nextDifferentFrom(mine, state(false, 0)));

    AnalyticsTestSupport.publish(
        List.of(sample("viewer-left", account, "keynote", 6, Map.of("viewerSessionId", "vs-1"))));
    assertEquals(state(true, 1), nextDifferentFrom(mine, state(true, 2)));

    // The same stream name in another account stayed empty for its subscriber.
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(30));
    JsonNode later = theirs.poll(2, TimeUnit.SECONDS);
    assertTrue(later == null || later.equals(state(false, 0)), String.valueOf(later));

    // And REST agrees: bytes in from the stats sample, viewers now.
    AnalyticsTestSupport.publish(
        List.of(
            sample(
                "stream-stats",
                account,
                "keynote",
                7,
                Map.of(
                    "intervalStart", Instant.now().truncatedTo(ChronoUnit.MINUTES).toString(),
                    "intervalEnd",
                        Instant.now()
                            .truncatedTo(ChronoUnit.MINUTES)
                            .plusSeconds(60)
                            .toString()))));
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(30));
    String today = Instant.now().truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10);
    String tomorrow =
        Instant.now()
            .truncatedTo(ChronoUnit.DAYS)
            .plus(1, ChronoUnit.DAYS)
            .toString()
            .substring(0, 10);
    JsonNode total =
        JSON.readTree(
            given()
                .auth()
                .oauth2(key)
                .queryParam("startDate", today)
                .queryParam("stopDate", tomorrow)
                .queryParam("streamNames", "keynote")
                .get("/api/analytics/streams/total")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertEquals(34762500L, total.at("/keynote/bytesIn").asLong());
    assertEquals(1, total.at("/keynote/live/concurrentViewers").asLong());
    assertEquals(118, total.at("/keynote/viewers/peakConcurrent").asLong());
    assertEquals(2, total.at("/keynote/viewers/sessions").asLong());
  }

  @Test
  void shouldSendUnreadableRecordsToTheDeadLetterTopicAndGoOn() throws Exception {
    String account = "DLQ" + System.nanoTime() % 100000;
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    String marker = "not json " + UUID.randomUUID();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      ProducerRecord<String, String> garbage =
          new ProducerRecord<>(Topics.VIEWER_JOINED, account + "/x", marker);
      producer.send(garbage).get();
    }
    AnalyticsTestSupport.publish(
        List.of(
            sample(
                "viewer-joined",
                account,
                "x",
                1,
                Map.of("viewerSessionId", "vs-after", "internalReader", false))));
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(30));
    String key =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of(ApiScopes.ANALYTICS_READ));
    given()
        .auth()
        .oauth2(key)
        .contentType("application/json")
        .body("{\"query\":\"{ streamViewCount }\"}")
        .post("/graphql")
        .then()
        .statusCode(200)
        .body("data.streamViewCount", org.hamcrest.Matchers.equalTo(1));
    String dlq = Topics.deadLetter("analytics-service", Topics.VIEWER_JOINED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                BeamlineInfraResource.kafka().readTopic(dlq, Duration.ofSeconds(2)).stream()
                    .map(ConsumerRecord::value)
                    .anyMatch(marker::equals));
  }

  @Test
  void shouldStoreTextWithCopySpecialsExactlyAndDeadLetterNul() throws Exception {
    String account = "ESC" + System.nanoTime() % 100000;
    // Tab, newline, carriage return and backslash are COPY's own syntax: they must be escaped.
    String session = "vs\t1\n2\r3\\N4\\";
    String tracking = "partner\\x\ttab";
    String nulSession = "vs-nul\u0000x";
    AnalyticsTestSupport.publish(
        List.of(
            sample(
                "viewer-joined",
                account,
                "esc",
                1,
                Map.of(
                    "viewerSessionId", session, "trackingId", tracking, "internalReader", false)),
            sample(
                "viewer-left",
                account,
                "esc",
                2,
                Map.of(
                    "viewerSessionId", session, "trackingId", tracking, "internalReader", false)),
            sample(
                "viewer-joined",
                account,
                "esc",
                3,
                Map.of("viewerSessionId", nulSession, "internalReader", false))));
    AnalyticsTestSupport.awaitConsumed(Duration.ofSeconds(30));
    String key =
        TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of(ApiScopes.ANALYTICS_READ));
    JsonNode views =
        JSON.readTree(
            given()
                .auth()
                .oauth2(key)
                .contentType("application/json")
                .body(
                    JSON.writeValueAsString(
                        Map.of(
                            "query",
                            "{ streamViewFindMany(limit: 10) { streamViewId active"
                                + " client { trackingId } } }")))
                .post("/graphql")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    JsonNode list = views.at("/data/streamViewFindMany");
    org.junit.jupiter.api.Assertions.assertEquals(1, list.size(), views.toString());
    org.junit.jupiter.api.Assertions.assertEquals(
        session, list.get(0).get("streamViewId").asText());
    org.junit.jupiter.api.Assertions.assertEquals(
        tracking, list.get(0).at("/client/trackingId").asText());
    org.junit.jupiter.api.Assertions.assertFalse(list.get(0).get("active").asBoolean());
    String dlq = Topics.deadLetter("analytics-service", Topics.VIEWER_JOINED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                BeamlineInfraResource.kafka().readTopic(dlq, Duration.ofSeconds(2)).stream()
                    .map(ConsumerRecord::value)
                    .anyMatch(v -> v != null && v.contains("vs-nul")));
  }

  private static JsonNode state(boolean live, long viewers) {
    return JSON.createObjectNode().put("live", live).put("concurrentViewers", (int) viewers);
  }

  private LinkedBlockingQueue<JsonNode> subscribe(String key, String stream) throws Exception {
    LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(graphql.getHost())
            .setPort(graphql.getPort())
            .setURI("/graphql")
            .addHeader("Authorization", "Bearer " + key)
            .addSubProtocol("graphql-transport-ws");
    WebSocket socket =
        vertx
            .createWebSocketClient()
            .connect(options)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    socket.textMessageHandler(
        text -> {
          try {
            JsonNode message = JSON.readTree(text);
            if ("connection_ack".equals(message.path("type").asText())) {
              socket.writeTextMessage(
                  JSON.writeValueAsString(
                      Map.of(
                          "id", "1",
                          "type", "subscribe",
                          "payload",
                              Map.of(
                                  "query",
                                  "subscription { liveViewers(streamName: \""
                                      + stream
                                      + "\") { live concurrentViewers } }"))));
            } else if ("next".equals(message.path("type").asText())) {
              JsonNode state = message.at("/payload/data/liveViewers");
              // Anything else (errors) is kept whole, so a failing assertion shows it.
              received.add(state.isObject() ? state : message);
            } else {
              received.add(message);
            }
          } catch (Exception e) {
            received.add(JSON.createObjectNode().put("error", e.toString()));
          }
        });
    socket.writeTextMessage("{\"type\":\"connection_init\"}");
    return received;
  }

  private static JsonNode next(LinkedBlockingQueue<JsonNode> queue) throws InterruptedException {
    JsonNode node = queue.poll(15, TimeUnit.SECONDS);
    if (node == null) {
      throw new AssertionError("no subscription message within 15 s");
    }
    return node;
  }

  private static JsonNode nextDifferentFrom(LinkedBlockingQueue<JsonNode> queue, JsonNode old)
      throws InterruptedException {
    JsonNode node = next(queue);
    while (node.equals(old)) {
      node = next(queue);
    }
    return node;
  }
}
