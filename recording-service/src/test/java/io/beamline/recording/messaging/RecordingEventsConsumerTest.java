package io.beamline.recording.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.EventTypes;
import io.beamline.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The workers read what stream-service is specified to write (the golden samples), apply each event
 * once, fail a recording whose source never goes live, and dead-letter what they cannot read.
 */
@QuarkusTest
class RecordingEventsConsumerTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  @Test
  void shouldFailARecordingWhoseSourceNeverGoesLiveAndApplyARedeliveryOnce() throws Exception {
    String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
    String stream = "never-live";
    ObjectNode sample = (ObjectNode) JSON.readTree(EventSamples.load(Topics.FEED_STARTED));
    String eventId = UUID.randomUUID().toString();
    sample.put("eventId", eventId);
    sample.put("accountId", account);
    sample.put("streamId", account + "/" + stream);
    sample.put("streamName", stream);
    sample.put("occurredAt", Instant.now().toString());
    sample.put("record", true);
    send(Topics.FEED_STARTED, account + "/" + stream, eventId, sample.toString());
    // The same event again, as after a producer retry: still one recording.
    send(Topics.FEED_STARTED, account + "/" + stream, eventId, sample.toString());

    String key = TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of("recordings:read"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(key)
                    .get("/api/v3/media/assets")
                    .then()
                    .body("data.totalItems", equalTo(1))
                    .body("data.items[0].status", equalTo("error"))
                    .body("data.items[0].feed.sourceId", equalTo("main-cam"))
                    .body("data.items[0].feed.tokenId", equalTo(1042))
                    .body("data.items[0].error", startsWith("media-pull-failed")));
    String id =
        given()
            .auth()
            .oauth2(key)
            .get("/api/v3/media/assets")
            .then()
            .extract()
            .path("data.items[0].id");
    List<String> failed =
        io.beamline.recording.TestSupportAccess.awaitRecords(
            Topics.RECORDING_FAILED, r -> r.value().contains(id), Duration.ofSeconds(20));
    assertEquals(1, failed.size());
    assertTrue(failed.get(0).contains("\"sourceId\":\"main-cam\""), failed.get(0));
  }

  @Test
  void shouldSendAnUnreadableRecordToItsDeadLetterTopicAndCarryOn() throws Exception {
    String marker = UUID.randomUUID().toString();
    send(Topics.SOURCE_SWITCHED, "x/y", marker, "{not json " + marker);
    String dlq = Topics.deadLetter(RecordingEventsConsumer.SERVICE, Topics.SOURCE_SWITCHED);
    List<String> dead =
        io.beamline.recording.TestSupportAccess.awaitRecords(
            dlq, r -> r.value() != null && r.value().contains(marker), Duration.ofSeconds(30));
    assertEquals(1, dead.size());
  }

  private static void send(String topic, String key, String eventId, String value)
      throws Exception {
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
      new CloudEventAttributes(
              eventId, EventTypes.typeOf(topic), "/beamline/test", Instant.now(), null)
          .toHeaders()
          .forEach((k, v) -> record.headers().add(k, v));
      producer.send(record).get();
    }
  }
}
