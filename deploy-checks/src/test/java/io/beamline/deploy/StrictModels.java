package io.beamline.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.beamline.deploy.cnpg.Cnpg;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.crdgenerator.annotations.Maximum;
import io.strimzi.crdgenerator.annotations.Minimum;
import io.strimzi.crdgenerator.annotations.MinimumItems;
import io.strimzi.crdgenerator.annotations.PresentInVersions;
import java.util.List;
import java.util.Map;

/**
 * Parses rendered manifests strictly into typed models: Kubernetes kinds into fabric8's model,
 * Strimzi kinds into Strimzi's API model, CloudNativePG kinds into {@link Cnpg}.
 *
 * <p>fabric8 and Strimzi models keep unknown fields in an "additional properties" map instead of
 * failing; this mapper removes that catch-all, so an unknown or misspelt field fails like it would
 * against the CRD's structural schema. Scalars are not coerced either: {@code replicas: "2"} or a
 * number where Kubernetes expects a string is an error, as the API server would answer.
 */
final class StrictModels {

  /** Every kind the manifests may contain, by {@code apiVersion} and {@code kind}. */
  static final Map<String, Class<?>> KINDS =
      Map.ofEntries(
          Map.entry(key("v1", "Namespace"), Namespace.class),
          Map.entry(key("v1", "ConfigMap"), ConfigMap.class),
          Map.entry(key("v1", "Secret"), Secret.class),
          Map.entry(key("v1", "Service"), Service.class),
          Map.entry(key("apps/v1", "Deployment"), Deployment.class),
          Map.entry(key("apps/v1", "StatefulSet"), StatefulSet.class),
          Map.entry(key("batch/v1", "Job"), Job.class),
          Map.entry(
              key("autoscaling/v2", "HorizontalPodAutoscaler"), HorizontalPodAutoscaler.class),
          Map.entry(key("policy/v1", "PodDisruptionBudget"), PodDisruptionBudget.class),
          Map.entry(key("monitoring.coreos.com/v1", "ServiceMonitor"), ServiceMonitor.class),
          Map.entry(key("kafka.strimzi.io/v1", "Kafka"), Kafka.class),
          Map.entry(key("kafka.strimzi.io/v1", "KafkaNodePool"), KafkaNodePool.class),
          Map.entry(key("kafka.strimzi.io/v1", "KafkaTopic"), KafkaTopic.class),
          Map.entry(key("postgresql.cnpg.io/v1", "Cluster"), Cnpg.Cluster.class),
          Map.entry(key("postgresql.cnpg.io/v1", "Database"), Cnpg.Database.class),
          Map.entry(key("postgresql.cnpg.io/v1", "ScheduledBackup"), Cnpg.ScheduledBackup.class));

  private static final ObjectMapper MAPPER = strictMapper();

  private StrictModels() {}

  static String key(String apiVersion, String kind) {
    return apiVersion + " " + kind;
  }

  /**
   * Parses one rendered object into its model.
   *
   * @throws IllegalArgumentException naming the object and the offending field
   */
  static Object parse(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    Class<?> type = KINDS.get(key(apiVersion, kind));
    if (type == null) {
      throw new IllegalArgumentException(
          "No model for apiVersion "
              + apiVersion
              + " kind "
              + kind
              + " ("
              + Kustomize.id(object)
              + "); known: "
              + KINDS.keySet());
    }
    Object model;
    try {
      model = MAPPER.treeToValue(object, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(invalid(object) + e.getMessage(), e);
    }
    // Some models map an unknown enum value to null instead of failing, and Strimzi's models
    // always write apiVersion v1beta2: compare everything but the apiVersion the registry checked.
    ObjectNode kept = MAPPER.valueToTree(model);
    kept.put("apiVersion", apiVersion);
    String lost = firstLost(object, kept, "");
    if (lost != null) {
      throw new IllegalArgumentException(invalid(object) + lost);
    }
    List<String> refused = new java.util.ArrayList<>(ApiRules.violations(object));
    constraints(model, object, "", refused);
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException(invalid(object) + String.join("; ", refused));
    }
    return model;
  }

  /**
   * The schema constraints the models declare but Jackson does not enforce on setters: required
   * properties ({@code @JsonProperty(required = true)}), and Strimzi's {@code @Minimum}, {@code
   * Maximum} and {@code @MinimumItems}. Walks the parsed model with its input, so polymorphic parts
   * (Strimzi storage, listeners) are checked against the class they became.
   */
  static void constraints(Object model, JsonNode input, String path, List<String> violations) {
    if (model == null || !input.isObject() || !isModel(model.getClass())) {
      return;
    }
    BeanDescription description =
        MAPPER
            .getDeserializationConfig()
            .introspect(MAPPER.getTypeFactory().constructType(model.getClass()));
    for (BeanPropertyDefinition property : description.findProperties()) {
      String name = property.getName();
      JsonNode value = input.path(name);
      if (property.isRequired() && value.isMissingNode()) {
        violations.add(path + name + " is required");
      }
      for (AnnotatedMember member :
          new AnnotatedMember[] {property.getGetter(), property.getField(), property.getSetter()}) {
        if (member == null) {
          continue;
        }
        Minimum min = member.getAnnotation(Minimum.class);
        if (min != null && value.isNumber() && value.asLong() < min.value()) {
          violations.add(path + name + " " + value + " is below its minimum " + min.value());
        }
        Maximum max = member.getAnnotation(Maximum.class);
        if (max != null && value.isNumber() && value.asLong() > max.value()) {
          violations.add(path + name + " " + value + " is above its maximum " + max.value());
        }
        MinimumItems items = member.getAnnotation(MinimumItems.class);
        if (items != null && value.isArray() && value.size() < items.value()) {
          violations.add(path + name + " needs at least " + items.value() + " item(s)");
        }
      }
      AnnotatedMember accessor = property.getAccessor();
      if (accessor == null || value.isMissingNode()) {
        continue;
      }
      Object child = accessor.getValue(model);
      if (child instanceof List<?> list && value.isArray()) {
        for (int i = 0; i < list.size() && i < value.size(); i++) {
          constraints(list.get(i), value.get(i), path + name + "[" + i + "].", violations);
        }
      } else {
        constraints(child, value, path + name + ".", violations);
      }
    }
  }

  private static boolean isModel(Class<?> type) {
    String name = type.getName();
    return (name.startsWith("io.strimzi.") || name.startsWith("io.fabric8."))
        && !type.isEnum()
        && !name.equals("io.fabric8.kubernetes.api.model.Quantity")
        && !name.equals("io.fabric8.kubernetes.api.model.IntOrString");
  }

  private static String invalid(JsonNode object) {
    return Kustomize.id(object)
        + " is not a valid "
        + object.path("apiVersion").asText()
        + " "
        + object.path("kind").asText()
        + ": ";
  }

  /** The first value of {@code input} that {@code kept} lacks or changed, or null when none. */
  static String firstLost(JsonNode input, JsonNode kept, String path) {
    if (input.isObject()) {
      var fields = input.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String lost =
            firstLost(field.getValue(), kept.path(field.getKey()), path + "." + field.getKey());
        if (lost != null) {
          return lost;
        }
      }
      return null;
    }
    if (input.isArray()) {
      for (int i = 0; i < input.size(); i++) {
        String lost = firstLost(input.get(i), kept.path(i), path + "[" + i + "]");
        if (lost != null) {
          return lost;
        }
      }
      return null;
    }
    if (kept.isMissingNode() && input.isBoolean() && !input.booleanValue()) {
      // Strimzi leaves a primitive false out when it writes a model back: same meaning.
      return null;
    }
    boolean same =
        input.isNumber() && kept.isNumber()
            ? input.decimalValue().compareTo(kept.decimalValue()) == 0
            : input.equals(kept);
    return same ? null : "value " + input + " at " + path.substring(1) + " is not accepted";
  }

  /** Whether a Strimzi model property exists in {@code kafka.strimzi.io/v1}; true for others. */
  static boolean inStrimziV1(BeanPropertyDefinition property) {
    for (AnnotatedMember member :
        new AnnotatedMember[] {property.getGetter(), property.getField(), property.getSetter()}) {
      if (member == null) {
        continue;
      }
      PresentInVersions versions = member.getAnnotation(PresentInVersions.class);
      if (versions != null) {
        return presentIn(versions.value(), "v1");
      }
    }
    return true;
  }

  /** Whether a Strimzi version list such as {@code v1beta2+} or {@code v1alpha1-v1beta2} has it. */
  static boolean presentIn(String ranges, String version) {
    int wanted = STRIMZI_VERSIONS.indexOf(version);
    for (String range : ranges.split(",")) {
      String r = range.trim();
      if (r.endsWith("+")) {
        if (wanted >= STRIMZI_VERSIONS.indexOf(r.substring(0, r.length() - 1))) {
          return true;
        }
      } else if (r.contains("-")) {
        String[] ends = r.split("-");
        if (wanted >= STRIMZI_VERSIONS.indexOf(ends[0])
            && wanted <= STRIMZI_VERSIONS.indexOf(ends[1])) {
          return true;
        }
      } else if (r.equals(version)) {
        return true;
      }
    }
    return false;
  }

  private static final List<String> STRIMZI_VERSIONS =
      List.of("v1alpha1", "v1beta1", "v1beta2", "v1");

  static ObjectMapper strictMapper() {
    SimpleModule noCatchAll = new SimpleModule("beamline-strict");
    noCatchAll.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            // The models' @JsonAnySetter would swallow every unknown field.
            builder.setAnySetter(null);
            builder.setIgnoreUnknownProperties(false);
            // Strimzi's model is the union of its API versions: drop what v1 no longer has.
            for (BeanPropertyDefinition property : description.findProperties()) {
              if (!inStrimziV1(property)) {
                builder.removeProperty(property.getFullName());
              }
            }
            return builder;
          }
        });
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(noCatchAll)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    // Kubernetes' JSON decoding neither turns numbers into strings nor strings into numbers.
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType numeric : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
      mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    return mapper;
  }
}
