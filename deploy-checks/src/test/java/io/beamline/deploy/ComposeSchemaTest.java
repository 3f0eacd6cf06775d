package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker-compose.yml against the Compose Specification's JSON schema, plus what it must run. */
class ComposeSchemaTest {

  static final List<String> SERVICES =
      List.of(
          "token-service",
          "stream-service",
          "recording-service",
          "analytics-service",
          "syndication-service");

  // The compose schema marks some keys deprecated: annotations only, read without warnings.
  private static final JsonMetaSchema DRAFT_07 =
      JsonMetaSchema.builder(JsonMetaSchema.getV7())
          .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
          .build();

  private static JsonSchema schema;
  private static JsonNode compose;

  @BeforeAll
  static void load() throws IOException {
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b.metaSchema(DRAFT_07));
    try (InputStream in =
        ComposeSchemaTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
      ObjectNode document = (ObjectNode) new ObjectMapper().readTree(in);
      // Its $id is a bare file name ("compose_spec.json"), which the validator refuses as a base
      // URI; the schema has no external references, so it is validated without one.
      document.remove("$id");
      schema = factory.getSchema(document, SchemaValidatorsConfig.builder().build());
    }
    compose = ComposeFile.read();
  }

  @Test
  void composeFileValidatesAgainstTheComposeSpecification() {
    Set<ValidationMessage> errors = schema.validate(compose);

    assertTrue(errors.isEmpty(), () -> "docker-compose.yml: " + errors);
  }

  @Test
  void brokenComposeFilesAreRejected() {
    ObjectNode unknownKey = compose.deepCopy();
    ((ObjectNode) unknownKey.path("services").path("kafka")).put("imagee", "apache/kafka");
    ObjectNode badCondition = compose.deepCopy();
    ((ObjectNode)
            badCondition.path("services").path("token-service").path("depends_on").path("postgres"))
        .put("condition", "service_ready");
    ObjectNode badPorts = compose.deepCopy();
    ((ObjectNode) badPorts.path("services").path("postgres")).put("ports", 5432);

    assertFalse(schema.validate(unknownKey).isEmpty(), "unknown service key accepted");
    assertFalse(schema.validate(badCondition).isEmpty(), "unknown depends_on condition accepted");
    assertFalse(schema.validate(badPorts).isEmpty(), "ports as a number accepted");
  }

  @Test
  void streamServiceReadsTheInternalKeyTokenServiceWrites() {
    JsonNode token = compose.path("services").path("token-service");
    JsonNode stream = compose.path("services").path("stream-service");
    String written =
        token.path("environment").path("BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE").asText();
    String read =
        stream.path("environment").path("BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE").asText();

    assertEquals(
        "http://token-service:8081",
        stream.path("environment").path("BEAMLINE_STREAM_TOKEN_SERVICE_URL").asText());
    assertEquals(onHost(token, written, false), onHost(stream, read, true));
    assertEquals(
        "service_healthy",
        stream.path("depends_on").path("token-service").path("condition").asText());
  }

  /** "volume:file" of a file inside one of a service's named-volume mounts; fails when none. */
  private static String onHost(JsonNode service, String file, boolean readOnly) {
    for (JsonNode mount : service.path("volumes")) {
      String[] parts = mount.asText().split(":");
      String target = parts[1].endsWith("/") ? parts[1] : parts[1] + "/";
      if (file.startsWith(target)) {
        assertEquals(readOnly, parts.length > 2 && parts[2].equals("ro"), () -> mount + " mode");
        return parts[0] + ":" + file.substring(target.length());
      }
    }
    throw new AssertionError(file + " is on no volume of " + service);
  }

  @Test
  void runsTheWholePlatformWithHealthChecksAndStartOrder() {
    Set<String> names = new TreeSet<>();
    compose.path("services").fieldNames().forEachRemaining(names::add);
    assertTrue(
        names.containsAll(
            List.of(
                "kafka",
                "kafka-topics",
                "postgres",
                "minio",
                "minio-bucket",
                "media-node",
                "token-service",
                "stream-service",
                "recording-service",
                "analytics-service",
                "syndication-service")),
        () -> "missing services: " + names);
    // The schema leaves restart a free string; Compose itself accepts only these policies.
    compose
        .path("services")
        .forEach(
            s ->
                assertTrue(
                    s.path("restart")
                        .asText()
                        .matches("no|always|unless-stopped|on-failure(:\\d+)?"),
                    () -> "bad restart policy " + s.path("restart")));
    for (String name : List.of("kafka", "postgres", "minio", "media-node")) {
      assertTrue(
          compose.path("services").path(name).path("healthcheck").path("test").isArray(),
          () -> name + " has no health check");
    }
    for (String service : SERVICES) {
      JsonNode s = compose.path("services").path(service);
      assertTrue(
          s.path("healthcheck").path("test").toString().contains("/q/health/ready"),
          () -> service + " is not checked on /q/health/ready");
      assertEquals(
          "service_healthy", s.path("depends_on").path("postgres").path("condition").asText());
      assertEquals(
          "service_completed_successfully",
          s.path("depends_on").path("kafka-topics").path("condition").asText(),
          () -> service + " may start before its topics exist");
      assertEquals("src/main/docker/Dockerfile.jvm", s.path("build").path("dockerfile").asText());
      assertEquals("./" + service, s.path("build").path("context").asText());
      String db = service.substring(0, service.indexOf('-'));
      assertEquals(
          "jdbc:postgresql://postgres:5432/" + db,
          s.path("environment").path("QUARKUS_DATASOURCE_JDBC_URL").asText());
      assertEquals("kafka:9092", s.path("environment").path("KAFKA_BOOTSTRAP_SERVERS").asText());
    }
    JsonNode token = compose.path("services").path("token-service").path("environment");
    assertTrue(
        token
            .path("BEAMLINE_SECRETS_MASTER_KEY")
            .asText()
            .startsWith("${BEAMLINE_SECRETS_MASTER_KEY:?"),
        "the master key must come from the environment, with no default");
    assertEquals(
        "/opt/beamline/geoip/dbip-country.mmdb", token.path("BEAMLINE_GEOIP_DATABASE").asText());
    String sql = compose.path("configs").path("postgres-databases").path("content").asText();
    for (String db : List.of("token", "stream", "recording", "analytics", "syndication")) {
      assertTrue(sql.contains("CREATE DATABASE " + db + ";"), () -> "no database " + db);
    }
  }
}
