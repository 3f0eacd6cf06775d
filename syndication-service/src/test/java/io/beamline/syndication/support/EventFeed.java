package io.beamline.syndication.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Reads what syndication-service publishes, and sends records it must dead-letter. */
public final class EventFeed {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  private EventFeed() {}

  /** Sends a record without CloudEvents headers (unreadable for every consumer). */
  public static void sendPoison(String topic, String key) {
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, "{not json")).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish to " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every record on {@code topic} now (payloads), read from the beginning. */
  public static List<JsonNode> readAll(String topic) {
    List<JsonNode> result = new ArrayList<>();
    for (String value : readRaw(topic)) {
      try {
        result.add(JSON.readTree(value));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return result;
  }

  /** Every record value on {@code topic} now, as text; empty when the topic does not exist. */
  public static List<String> readRaw(String topic) {
    Properties p = new Properties();
    p.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    List<String> result = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      var infos = consumer.listTopics().get(topic);
      if (infos == null) {
        return result;
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      Instant deadline = Instant.now().plusSeconds(10);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          result.add(r.value());
        }
      }
    }
    return result;
  }
}
