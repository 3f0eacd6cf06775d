package io.beamline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Renders a kustomization with {@code kubectl kustomize} and reads the objects it prints. */
final class Kustomize {

  private static final YAMLMapper YAML = new YAMLMapper();

  private Kustomize() {}

  /** The kubectl binary: {@code KUBECTL} if set, else the one on PATH. */
  static String kubectl() {
    String configured = System.getenv("KUBECTL");
    return configured == null || configured.isBlank() ? "kubectl" : configured;
  }

  /** Every object {@code kubectl kustomize dir} renders, in output order; fails on any error. */
  static List<JsonNode> render(Path dir) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(kubectl(), "kustomize", dir.toString())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    // Read both streams before waiting: a full pipe buffer would block kubectl.
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "kubectl kustomize "
              + dir
              + " failed ("
              + process.exitValue()
              + "): "
              + new String(err, StandardCharsets.UTF_8));
    }
    return readAll(new String(out, StandardCharsets.UTF_8));
  }

  /** Every non-empty document of a multi-document YAML stream. */
  static List<JsonNode> readAll(String yaml) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode node = it.next();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          objects.add(node);
        }
      }
    }
    return objects;
  }

  /** {@code kind/name} of an object, for messages. */
  static String id(JsonNode object) {
    return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
  }
}
