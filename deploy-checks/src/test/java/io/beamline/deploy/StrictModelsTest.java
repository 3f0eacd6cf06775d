package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Proves the strict validation can fail: broken copies of real rendered objects are rejected. */
class StrictModelsTest {

  private static final String PROD = "k8s/overlays/prod";

  @Test
  void rejectsUnknownFieldInContainer() {
    assertRejected(
        "Deployment",
        "token-service",
        d -> container(d).put("livenesProbe", "typo"),
        "livenesProbe");
  }

  @Test
  void rejectsWrongTypes() {
    assertRejected("Deployment", "stream-service", d -> spec(d).put("replicas", "two"), "replicas");
    // Kubernetes does not turn a number into a string: env values must be quoted.
    assertRejected(
        "Deployment",
        "stream-service",
        d -> ((ObjectNode) container(d).path("env").get(0)).put("value", 8082),
        "value");
    assertRejected(
        "Service",
        "media-rtmp",
        d -> ((ObjectNode) spec(d).path("ports").get(0)).put("port", "x"),
        "port");
  }

  @Test
  void rejectsWhatTheApiServerValidatesBeyondTypes() {
    assertRejected("Service", "media-rtmp", s -> spec(s).put("type", "LoadBalncer"), "LoadBalncer");
    assertRejected(
        "Service",
        "media-rtmp",
        s -> ((ObjectNode) spec(s).path("ports").get(0)).put("protocol", "tcp"),
        "protocol");
    assertRejected(
        "Service",
        "media-hls",
        s -> ((ObjectNode) spec(s).path("ports").get(0)).put("port", 70000),
        "70000");
    assertRejected("Deployment", "analytics-service", d -> container(d).remove("image"), "image");
    assertRejected(
        "Deployment",
        "analytics-service",
        d -> ((ObjectNode) container(d).path("resources").path("limits")).put("memory", "768MB"),
        "768MB");
    assertRejected(
        "StatefulSet",
        "media-node",
        s ->
            ((ObjectNode) container(s).path("livenessProbe")).putObject("tcpSocket").put("port", 1),
        "exactly one handler");
    assertRejected(
        "Deployment",
        "token-service",
        d -> container(d).put("imagePullPolicy", "IfMissing"),
        "IfMissing");
  }

  @Test
  void rejectsBrokenAutoscalingAndDisruptionBudgets() {
    assertRejected(
        "HorizontalPodAutoscaler",
        "stream-service",
        h -> spec(h).put("minReplica", 2),
        "minReplica");
    assertRejected(
        "PodDisruptionBudget", "minio", p -> spec(p).put("maxUnavailable", true), "maxUnavailable");
  }

  @Test
  void rejectsBrokenStrimziResources() {
    assertRejected(
        "Kafka",
        "beamline",
        k -> ((ObjectNode) spec(k).path("kafka")).put("replicas", 3),
        "replicas");
    assertRejected(
        "Kafka",
        "beamline",
        k -> ((ObjectNode) spec(k).path("kafka").path("listeners").get(0)).put("type", "public"),
        "public");
    assertRejected(
        "KafkaNodePool",
        "brokers",
        p -> ((ArrayNode) spec(p).path("roles")).add("zookeeper"),
        "zookeeper");
    assertRejected(
        "KafkaTopic", "stream-started", t -> spec(t).put("partitions", "six"), "partitions");
    assertRejected("KafkaTopic", "stream-started", t -> spec(t).put("partition", 6), "partition");
    // What Strimzi's CRD schema requires and bounds, beyond field names and types.
    assertRejected(
        "KafkaTopic", "stream-started", t -> spec(t).put("partitions", 0), "below its minimum 1");
    assertRejected(
        "Kafka",
        "beamline",
        k -> ((ObjectNode) spec(k).path("kafka")).putArray("listeners"),
        "listeners needs at least 1");
    assertRejected(
        "Kafka",
        "beamline",
        k -> ((ObjectNode) spec(k).path("kafka").path("listeners").get(0)).remove("port"),
        "port is required");
    assertRejected(
        "KafkaNodePool", "brokers", p -> spec(p).remove("storage"), "storage is required");
  }

  @Test
  void rejectsBrokenCloudNativePgResources() {
    assertRejected("Cluster", "beamline-pg", c -> spec(c).put("instance", 3), "instance");
    assertRejected(
        "Cluster", "beamline-pg", c -> spec(c).put("primaryUpdateStrategy", "auto"), "auto");
    // CloudNativePG parameters are strings.
    assertRejected(
        "Cluster",
        "beamline-pg",
        c ->
            ((ObjectNode) spec(c).path("postgresql").path("parameters"))
                .put("max_connections", 300),
        "max_connections");
    assertRejected("Database", "beamline-pg-token", d -> spec(d).remove("owner"), "owner");
    assertRejected(
        "Cluster",
        "beamline-pg",
        c ->
            ((ObjectNode) spec(c).path("backup").path("barmanObjectStore"))
                .put("endpointUrl", "http://minio:9000"),
        "endpointUrl");
    assertRejected(
        "Cluster",
        "beamline-pg",
        c ->
            ((ObjectNode) spec(c).path("backup").path("barmanObjectStore").path("data"))
                .put("compression", "zstd"),
        "zstd");
    assertRejected(
        "ScheduledBackup", "beamline-pg-nightly", b -> spec(b).remove("schedule"), "schedule");
    assertRejected(
        "ScheduledBackup",
        "beamline-pg-nightly",
        b -> spec(b).put("method", "snapshot"),
        "snapshot");
  }

  @Test
  void rejectsBrokenServiceMonitor() {
    assertRejected(
        "ServiceMonitor",
        "beamline-services",
        m -> ((ObjectNode) spec(m).path("endpoints").get(0)).put("pathh", "/q/metrics"),
        "pathh");
  }

  @Test
  void rejectsUnknownKindsAndApiVersions() {
    JsonNode deployment = Manifests.named(PROD, "Deployment", "token-service").deepCopy();
    ((ObjectNode) deployment).put("apiVersion", "apps/v1beta1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StrictModels.parse(deployment));
    assertTrue(e.getMessage().contains("No model"), e.getMessage());

    JsonNode tenant = Manifests.named(PROD, "StatefulSet", "minio").deepCopy();
    ((ObjectNode) tenant).put("apiVersion", "minio.min.io/v2").put("kind", "Tenant");
    assertThrows(IllegalArgumentException.class, () -> StrictModels.parse(tenant));
  }

  @Test
  void acceptsTheUnbrokenOriginals() {
    for (String kind :
        new String[] {"Deployment", "Kafka", "KafkaTopic", "Cluster", "ServiceMonitor"}) {
      Manifests.ofKind(PROD, kind).forEach(o -> assertDoesNotThrow(() -> StrictModels.parse(o)));
    }
  }

  private static void assertRejected(
      String kind, String name, Consumer<ObjectNode> breakIt, String expectedInMessage) {
    ObjectNode copy = Manifests.named(PROD, kind, name).deepCopy();
    breakIt.accept(copy);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StrictModels.parse(copy),
            () -> "accepted a broken " + kind + "/" + name + ": " + copy);
    assertTrue(
        e.getMessage().contains(expectedInMessage),
        () -> "message does not name '" + expectedInMessage + "': " + e.getMessage());
  }

  private static ObjectNode spec(JsonNode object) {
    return (ObjectNode) object.path("spec");
  }

  private static ObjectNode container(JsonNode workload) {
    return (ObjectNode)
        workload.path("spec").path("template").path("spec").path("containers").get(0);
  }
}
