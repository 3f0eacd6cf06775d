package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Renders every kustomization with kubectl and validates each object strictly. */
class RenderedManifestsTest {

  static final List<String> KUSTOMIZATIONS = Manifests.KUSTOMIZATIONS;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void everyRenderedObjectParsesStrictlyIntoItsModel(String kustomization) {
    List<JsonNode> objects = Manifests.rendered(kustomization);
    List<String> errors = new ArrayList<>();
    for (JsonNode object : objects) {
      try {
        StrictModels.parse(object);
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }

    assertTrue(objects.size() > 40, kustomization + " rendered only " + objects.size());
    assertTrue(errors.isEmpty(), () -> kustomization + ":\n" + String.join("\n", errors));
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void namesAreValidKubernetesNamesAndUnique(String kustomization) {
    Set<String> seen = new TreeSet<>();
    for (JsonNode object : Manifests.rendered(kustomization)) {
      String name = object.path("metadata").path("name").asText();
      String kind = object.path("kind").asText();
      assertTrue(seen.add(kind + "/" + name), () -> "duplicate " + kind + "/" + name);
      Pattern rule = kind.equals("Service") ? DNS_1035_LABEL : DNS_SUBDOMAIN;
      assertTrue(
          rule.matcher(name).matches() && name.length() <= 253,
          () -> kind + " name is not a valid Kubernetes name: " + name);
      if (!kind.equals("Namespace")) {
        assertEquals(
            "beamline",
            object.path("metadata").path("namespace").asText(),
            () -> kind + "/" + name + " is not in the beamline namespace");
      }
      podSpec(object)
          .ifPresent(
              pod ->
                  pod.path("containers")
                      .forEach(
                          c ->
                              assertTrue(
                                  DNS_LABEL.matcher(c.path("name").asText()).matches(),
                                  () -> "bad container name in " + kind + "/" + name)));
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void everySecretAndConfigMapReferenceResolves(String kustomization) {
    Set<String> configMaps = names(kustomization, "ConfigMap");
    Set<String> secrets = new TreeSet<>(names(kustomization, "Secret"));
    // The base and prod expect these Secrets to be created by the operator (k8s/README.md).
    Set<String> external =
        Set.of(
            "beamline-master-key",
            "beamline-media-jwt",
            "beamline-media-callback",
            "beamline-s3",
            "beamline-db-token",
            "beamline-db-stream",
            "beamline-db-recording",
            "beamline-db-analytics",
            "beamline-db-syndication");
    if (!kustomization.endsWith("dev")) {
      secrets.addAll(external);
    } else {
      assertEquals(external, names(kustomization, "Secret"), "dev generates every Secret");
    }
    // token-service mints this key at run time; the operator stores it (k8s/README.md), so every
    // volume of it must be optional or the pods could not start before that.
    String internalKey = "beamline-internal-key";
    for (JsonNode object : Manifests.rendered(kustomization)) {
      for (JsonNode ref : object.findValues("secretKeyRef")) {
        assertTrue(secrets.contains(ref.path("name").asText()), () -> "unknown Secret " + ref);
      }
      for (JsonNode ref : object.findValues("configMapKeyRef")) {
        assertTrue(
            configMaps.contains(ref.path("name").asText()), () -> "unknown ConfigMap " + ref);
      }
      for (JsonNode ref : object.findValues("configMapRef")) {
        assertTrue(
            configMaps.contains(ref.path("name").asText()), () -> "unknown ConfigMap " + ref);
      }
      for (JsonNode credentials : object.findValues("s3Credentials")) {
        credentials.forEach(
            ref ->
                assertTrue(
                    secrets.contains(ref.path("name").asText())
                        && !ref.path("key").asText().isEmpty(),
                    () -> "unknown Secret " + ref));
      }
      for (JsonNode ref : object.findValues("passwordSecret")) {
        assertTrue(secrets.contains(ref.path("name").asText()), () -> "unknown Secret " + ref);
      }
      for (JsonNode volume : object.findParents("secretName")) {
        String name = volume.path("secretName").asText();
        if (internalKey.equals(name)) {
          assertTrue(volume.path("optional").asBoolean(), () -> internalKey + " not optional");
        } else {
          assertTrue(secrets.contains(name), () -> "unknown Secret " + name);
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void everyServiceSelectsPodsThatExist(String kustomization) {
    List<JsonNode> templates = new ArrayList<>();
    for (JsonNode object : Manifests.rendered(kustomization)) {
      if (object.path("spec").path("template").path("metadata").isObject()) {
        templates.add(object.path("spec").path("template").path("metadata").path("labels"));
      }
    }
    for (JsonNode service : Manifests.ofKind(kustomization, "Service")) {
      JsonNode selector = service.path("spec").path("selector");
      boolean matches =
          templates.stream()
              .anyMatch(
                  labels -> {
                    var fields = selector.fields();
                    while (fields.hasNext()) {
                      var e = fields.next();
                      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText())) {
                        return false;
                      }
                    }
                    return true;
                  });
      assertFalse(selector.isEmpty(), () -> Kustomize.id(service) + " has no selector");
      assertTrue(matches, () -> Kustomize.id(service) + " selects no pod template");
    }
  }

  static Set<String> names(String kustomization, String kind) {
    Set<String> names = new TreeSet<>();
    Manifests.ofKind(kustomization, kind)
        .forEach(o -> names.add(o.path("metadata").path("name").asText()));
    return names;
  }

  static java.util.Optional<JsonNode> podSpec(JsonNode object) {
    JsonNode spec = object.path("spec").path("template").path("spec");
    return spec.isObject() ? java.util.Optional.of(spec) : java.util.Optional.empty();
  }
}
