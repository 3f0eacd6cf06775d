package io.beamline.analytics;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.analytics.generator.SyntheticDay;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes events the way stream-service's outbox relay does, and measures consumer lag. */
final class AnalyticsTestSupport {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  private AnalyticsTestSupport() {}

  /**
   * Publishes every event (CloudEvents binary mode, keyed by stream id) and waits for acks.
   *
   * @return where each event was written, in the order of {@code events}
   */
  static List<RecordMetadata> publish(List<SyntheticDay.Published> events) throws Exception {
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (SyntheticDay.Published e : events) {
        ProducerRecord<String, String> record =
            new ProducerRecord<>(e.topic(), e.key(), JSON.writeValueAsString(e.event()));
        CloudEventAttributes.of(e.event()).toHeaders().forEach(record.headers()::add);
        acks.add(producer.send(record));
      }
      List<RecordMetadata> written = new ArrayList<>(acks.size());
      for (Future<RecordMetadata> ack : acks) {
        written.add(ack.get());
      }
      return written;
    }
  }

  /** Records not yet committed by the analytics consumer group over every stream topic. */
  static long lag(Admin admin) throws Exception {
    return lag(admin, "analytics-service");
  }

  /** Records not yet committed by consumer group {@code group} over every stream topic. */
  static long lag(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> committed = committed(admin, group);
    long lag = 0;
    for (var end : ends(admin).entrySet()) {
      lag += end.getValue() - committed.getOrDefault(end.getKey(), 0L);
    }
    return lag;
  }

  /** The offsets {@code group} has committed, by partition (none yet: absent). */
  static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return committed.entrySet().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  /** The end offset of every partition of every stream topic. */
  static Map<TopicPartition, Long> ends(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> latest =
        admin.describeTopics(Topics.STREAM_TOPICS).allTopicNames().get().values().stream()
            .flatMap(
                d ->
                    d.partitions().stream().map(pi -> new TopicPartition(d.name(), pi.partition())))
            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
        admin.listOffsets(latest).all().get();
    return ends.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  /** Waits until the analytics consumer group has committed everything published so far. */
  static void awaitConsumed(Duration timeout) throws Exception {
    try (Admin admin = BeamlineInfraResource.kafka().admin()) {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> lag(admin) == 0);
    }
  }
}
