package io.beamline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The rendered kustomizations, each rendered once per test JVM. */
final class Manifests {

  /** Every kustomization users apply, relative to the repository root. */
  static final List<String> KUSTOMIZATIONS =
      List.of("k8s/base", "k8s/overlays/dev", "k8s/overlays/prod");

  private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

  private Manifests() {}

  static List<JsonNode> rendered(String kustomization) {
    return RENDERED.computeIfAbsent(
        kustomization,
        k -> {
          try {
            Path dir = RepoFiles.resolve(k);
            return List.copyOf(Kustomize.render(dir));
          } catch (Exception e) {
            throw new IllegalStateException("Cannot render " + k + ": " + e.getMessage(), e);
          }
        });
  }

  static List<JsonNode> ofKind(String kustomization, String kind) {
    return rendered(kustomization).stream()
        .filter(o -> kind.equals(o.path("kind").asText()))
        .toList();
  }

  static JsonNode named(String kustomization, String kind, String name) {
    return ofKind(kustomization, kind).stream()
        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kustomization + " has no " + kind + "/" + name));
  }
}
