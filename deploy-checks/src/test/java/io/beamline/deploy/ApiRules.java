package io.beamline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the Kubernetes API server applies beyond the field types that the typed models cover:
 * fabric8 models enums as plain strings and knows no required fields, so a {@code type:
 * LoadBalncer}, a {@code protocol: tcp}, a container without an image or a quantity of {@code
 * 512MB} would pass them. The rules transcribe the API server's validation of the fields in use
 * (k8s.io/kubernetes pkg/apis/core/validation); a manifest using further enum fields adds them.
 */
final class ApiRules {

  /** Enum-valued fields, by the name of the field, wherever it appears in a workload or Service. */
  private static final Map<String, Set<String>> ENUMS =
      Map.of(
          "imagePullPolicy", Set.of("Always", "IfNotPresent", "Never"),
          "protocol", Set.of("TCP", "UDP", "SCTP"),
          "restartPolicy", Set.of("Always", "OnFailure", "Never"),
          "externalTrafficPolicy", Set.of("Cluster", "Local"),
          "whenUnsatisfiable", Set.of("DoNotSchedule", "ScheduleAnyway"),
          "podManagementPolicy", Set.of("OrderedReady", "Parallel"));

  private static final Set<String> SERVICE_TYPES =
      Set.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");

  /** resource.Quantity: a decimal number with an optional binary or decimal SI suffix. */
  private static final Pattern QUANTITY =
      Pattern.compile(
          "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?");

  private static final Pattern IANA_SVC_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

  private ApiRules() {}

  /** What the API server would refuse in one object; empty when nothing. */
  static List<String> violations(JsonNode object) {
    List<String> violations = new ArrayList<>();
    String id = Kustomize.id(object);
    walk(object, "", id, violations);
    if ("Service".equals(object.path("kind").asText())) {
      String type = object.path("spec").path("type").asText("ClusterIP");
      if (!SERVICE_TYPES.contains(type)) {
        violations.add(id + ": spec.type " + type + " is not one of " + SERVICE_TYPES);
      }
      for (JsonNode port : object.path("spec").path("ports")) {
        checkPort(port.path("port"), id + " Service port", violations);
      }
    }
    JsonNode pod = object.path("spec").path("template").path("spec");
    if (pod.isObject()) {
      checkPod(pod, id, violations);
    }
    return violations;
  }

  private static void checkPod(JsonNode pod, String id, List<String> violations) {
    List<JsonNode> containers = new ArrayList<>();
    pod.path("containers").forEach(containers::add);
    pod.path("initContainers").forEach(containers::add);
    if (pod.path("containers").isEmpty()) {
      violations.add(id + ": a pod needs at least one container");
    }
    for (JsonNode c : containers) {
      String where = id + " container " + c.path("name").asText("?");
      if (c.path("name").asText().isEmpty()) {
        violations.add(id + ": a container has no name");
      }
      if (c.path("image").asText().isEmpty()) {
        violations.add(where + ": no image");
      }
      for (JsonNode port : c.path("ports")) {
        checkPort(port.path("containerPort"), where + " containerPort", violations);
        if (port.has("name") && !IANA_SVC_NAME.matcher(port.path("name").asText()).matches()) {
          violations.add(where + ": port name " + port.path("name") + " is not an IANA_SVC_NAME");
        }
      }
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        JsonNode p = c.path(probe);
        if (p.isObject()) {
          long handlers =
              List.of("httpGet", "tcpSocket", "exec", "grpc").stream().filter(p::has).count();
          if (handlers != 1) {
            violations.add(where + ": " + probe + " needs exactly one handler, has " + handlers);
          }
        }
      }
    }
  }

  private static void checkPort(JsonNode port, String where, List<String> violations) {
    if (!port.isInt() || port.asInt() < 1 || port.asInt() > 65535) {
      violations.add(where + " " + port + " is not a port number 1-65535");
    }
  }

  private static void walk(JsonNode node, String path, String id, List<String> violations) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field -> {
                String name = field.getKey();
                JsonNode value = field.getValue();
                Set<String> allowed = ENUMS.get(name);
                if (allowed != null && value.isTextual() && !allowed.contains(value.asText())) {
                  violations.add(
                      id + ": " + path + name + " " + value + " is not one of " + allowed);
                }
                if ((name.equals("requests") || name.equals("limits"))
                    && path.endsWith("resources.")) {
                  value
                      .fields()
                      .forEachRemaining(
                          q -> {
                            if (!QUANTITY.matcher(q.getValue().asText()).matches()) {
                              violations.add(
                                  id
                                      + ": "
                                      + path
                                      + name
                                      + "."
                                      + q.getKey()
                                      + " "
                                      + q.getValue()
                                      + " is not a quantity");
                            }
                          });
                }
                walk(value, path + name + ".", id, violations);
              });
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        walk(item, path, id, violations);
      }
    }
  }
}
