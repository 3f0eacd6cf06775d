package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Checks asyncapi.yaml against the official AsyncAPI schema, the topics, records and samples. */
class AsyncApiContractTest {

  static final List<String> TOPICS = Topics.ALL;

  private static final String DOCUMENT = "asyncapi.yaml";
  private static final String OFFICIAL_SCHEMA = "asyncapi-schema/asyncapi-3.0.0.json";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = EventJson.newObjectMapper();
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
  // AsyncAPI schema objects add keywords to draft-07 (example, discriminator, x-...): they only
  // annotate, so they are read silently instead of warned about once per keyword.
  private static final JsonMetaSchema DRAFT_07 =
      JsonMetaSchema.builder(JsonMetaSchema.getV7())
          .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
          .build();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b.metaSchema(DRAFT_07));

  private static JsonNode document;
  private static JsonSchema asyncApiSchema;

  @BeforeAll
  static void load() throws IOException {
    document = YAML.readTree(resource(DOCUMENT));
    try (InputStream in = resourceStream(OFFICIAL_SCHEMA)) {
      asyncApiSchema = FACTORY.getSchema(in, CONFIG);
    }
  }

  @Test
  void shouldValidateAgainstOfficialAsyncApiSchema() {
    Set<ValidationMessage> errors = asyncApiSchema.validate(document);

    assertTrue(errors.isEmpty(), () -> "asyncapi.yaml is not valid AsyncAPI 3.0.0: " + errors);
    assertEquals("3.0.0", document.path("asyncapi").asText());
  }

  @Test
  void shouldRejectBrokenAsyncApiDocument() {
    ObjectNode withoutInfo = document.deepCopy();
    withoutInfo.remove("info");
    ObjectNode badAction = document.deepCopy();
    // AsyncAPI 2's verb: a document half-migrated to 3.0 must fail.
    ((ObjectNode) badAction.path("operations").path("sendStreamStarted")).put("action", "publish");
    ObjectNode unknownChannelField = document.deepCopy();
    ((ObjectNode) unknownChannelField.path("channels").path("viewer-left")).put("topic", "x");

    assertFalse(asyncApiSchema.validate(withoutInfo).isEmpty(), "missing info accepted");
    assertFalse(asyncApiSchema.validate(badAction).isEmpty(), "action publish accepted");
    assertFalse(
        asyncApiSchema.validate(unknownChannelField).isEmpty(), "unknown channel field accepted");
  }

  @Test
  void shouldHaveExactlyOneChannelPerTopic() {
    Set<String> channelIds = new TreeSet<>();
    document.path("channels").fieldNames().forEachRemaining(channelIds::add);
    Set<String> addresses = new TreeSet<>();
    document.path("channels").forEach(c -> addresses.add(c.path("address").asText()));

    assertEquals(new TreeSet<>(Topics.ALL), channelIds);
    assertEquals(new TreeSet<>(Topics.ALL), addresses);
    for (String topic : Topics.ALL) {
      assertEquals(topic, document.path("channels").path(topic).path("address").asText());
    }
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldDescribeTopicAsInCatalog(String topic) {
    EventCatalog.Entry entry = EventCatalog.forTopic(topic);
    JsonNode channel = document.path("channels").path(topic);
    JsonNode message = message(topic);

    assertEquals(
        entry.partitions(), channel.path("bindings").path("kafka").path("partitions").asInt());
    assertEquals(
        "#/components/schemas/" + entry.payloadType().getSimpleName(),
        message.path("payload").path("$ref").asText());
    assertEquals(entry.payloadType().getName(), message.path("x-java-type").asText());
    assertEquals(entry.sample(), message.path("x-sample").asText());

    List<JsonNode> sends = sendOperations(topic);
    assertEquals(1, sends.size(), "send operations on " + topic);
    Set<String> tags = new HashSet<>();
    sends.get(0).path("tags").forEach(t -> tags.add(t.path("name").asText()));
    assertEquals(Set.of(entry.producer()), tags);
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldValidateSampleAgainstChannelPayloadSchema(String topic) throws IOException {
    JsonNode sample = JSON.readTree(EventSamples.load(topic));

    Set<ValidationMessage> errors = payloadSchema(topic).validate(sample);

    assertTrue(errors.isEmpty(), () -> topic + " sample breaks its schema: " + errors);
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldValidateHeadersAndKeyOfSampleEvent(String topic) throws IOException {
    EventCatalog.Entry entry = EventCatalog.forTopic(topic);
    BeamlineEvent event = JSON.readValue(EventSamples.load(topic), entry.payloadType());
    ObjectNode headers = JSON.createObjectNode();
    CloudEventAttributes.of(event)
        .toHeaders()
        .forEach((k, v) -> headers.put(k, new String(v, StandardCharsets.UTF_8)));
    String pointer = messagePointer(topic);

    Set<ValidationMessage> headerErrors = schemaAt(pointer + "/headers").validate(headers);
    Set<ValidationMessage> keyErrors =
        schemaAt(pointer + "/bindings/kafka/key").validate(JSON.valueToTree(entry.keyOf(event)));

    assertTrue(headerErrors.isEmpty(), () -> topic + " headers: " + headerErrors);
    assertTrue(keyErrors.isEmpty(), () -> topic + " key: " + keyErrors);
    headers.put(CloudEventHeaders.TYPE, "io.beamline.something-else");
    assertFalse(schemaAt(pointer + "/headers").validate(headers).isEmpty(), "wrong ce_type");
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldRejectSampleMissingARequiredField(String topic) throws IOException {
    JsonSchema schema = payloadSchema(topic);
    Set<String> required = new HashSet<>();
    collect(payloadSchemaNode(topic), new HashSet<>(), required);

    for (String field : required) {
      ObjectNode broken = (ObjectNode) JSON.readTree(EventSamples.load(topic));
      broken.remove(field);
      assertFalse(schema.validate(broken).isEmpty(), topic + " accepted without " + field);
    }
    ObjectNode wrongType = (ObjectNode) JSON.readTree(EventSamples.load(topic));
    wrongType.put("occurredAt", "last tuesday");
    assertFalse(schema.validate(wrongType).isEmpty(), topic + " accepted a bad occurredAt");
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldMatchPayloadSchemaToRecord(String topic) {
    Class<?> type = EventCatalog.forTopic(topic).payloadType();
    Set<String> properties = new TreeSet<>();
    Set<String> required = new TreeSet<>();
    collect(payloadSchemaNode(topic), properties, required);
    RecordComponent[] components = type.getRecordComponents();

    Set<String> names =
        Arrays.stream(components).map(RecordComponent::getName).collect(Collectors.toSet());
    assertEquals(new TreeSet<>(names), properties, topic + ": schema properties vs record");
    for (RecordComponent c : components) {
      // A primitive is always written, so the schema must demand it.
      if (c.getType().isPrimitive()) {
        assertTrue(required.contains(c.getName()), topic + ": " + c.getName() + " not required");
      }
    }
  }

  @Test
  void shouldTolerateUnknownFieldsInPayloadSchemas() throws IOException {
    ObjectNode sample = (ObjectNode) JSON.readTree(EventSamples.load(Topics.STREAM_STARTED));
    sample.put("addedInALaterVersion", true);

    assertTrue(payloadSchema(Topics.STREAM_STARTED).validate(sample).isEmpty());
  }

  private static JsonNode message(String topic) {
    return document.at(messagePointer(topic).substring(1));
  }

  /** Follows the channel's only message reference: {@code #/components/messages/Xxx}. */
  private static String messagePointer(String topic) {
    JsonNode messages = document.path("channels").path(topic).path("messages");
    assertEquals(1, messages.size(), "messages on " + topic);
    String ref = messages.elements().next().path("$ref").asText();
    assertTrue(ref.startsWith("#/components/messages/"), ref);
    return ref;
  }

  private static List<JsonNode> sendOperations(String topic) {
    List<JsonNode> result = new ArrayList<>();
    for (JsonNode op : document.path("operations")) {
      if (op.path("channel").path("$ref").asText().equals("#/channels/" + topic)
          && op.path("action").asText().equals("send")) {
        result.add(op);
      }
    }
    return result;
  }

  private static JsonSchema payloadSchema(String topic) {
    return schemaAt(messagePointer(topic) + "/payload");
  }

  private static JsonNode payloadSchemaNode(String topic) {
    return message(topic).path("payload");
  }

  /** A schema inside the document; its references resolve against the whole document. */
  private static JsonSchema schemaAt(String pointer) {
    return FACTORY.getSchema(SchemaLocation.of("classpath:" + DOCUMENT + pointer), CONFIG);
  }

  /** Gathers properties and required names through {@code $ref} and {@code allOf}. */
  private static void collect(JsonNode schema, Set<String> properties, Set<String> required) {
    if (schema.has("$ref")) {
      collect(document.at(schema.get("$ref").asText().substring(1)), properties, required);
    }
    schema.path("allOf").forEach(s -> collect(s, properties, required));
    schema.path("properties").fieldNames().forEachRemaining(properties::add);
    if (schema.path("required") instanceof ArrayNode names) {
      names.forEach(n -> required.add(n.asText()));
    }
  }

  private static String resource(String name) {
    try (InputStream in = resourceStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resourceStream(String name) {
    InputStream in = AsyncApiContractTest.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("Missing classpath resource " + name);
    }
    return in;
  }
}
