package io.beamline.token.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.platform.problem.Problem;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.service.TokenRequest;
import io.beamline.token.service.TokenRules;
import io.beamline.token.service.TokenValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads token request bodies strictly: a field this kind of token or this operation does not have
 * is refused by name (a typo or a v1 name sent to v2 must not be silently ignored), and which
 * fields were present is kept, since in an update {@code null} clears while absent keeps.
 */
@ApplicationScoped
public class TokenBodies {

  /** Which operation a body is for. */
  public enum Operation {
    CREATE,
    UPDATE
  }

  /**
   * A read body.
   *
   * @param request the values
   * @param present the names of the fields the body had
   * @param v1Names v1 name of each renamed v2 field, to name errors as the client did
   */
  public record Parsed(TokenRequest request, Set<String> present, Map<String, String> v1Names) {}

  private static final Set<String> COMMON =
      Set.of(
          "label",
          "expires",
          "expiresOn",
          "streams",
          "allowedOrigins",
          "allowedIpAddresses",
          "bindIpsOnUsage",
          "allowedCountries",
          "deniedCountries",
          "originCluster");
  private static final Set<String> PUBLISH_ONLY =
      Set.of("subscribeRequiresAuth", "record", "multisource", "priority", "restream");
  private static final Set<String> CREATE_ONLY = Set.of("tracking");
  private static final Set<String> UPDATE_ONLY =
      Set.of("refreshToken", "isActive", "addTokenStreams", "removeTokenStreams");

  /**
   * Reference token fields Beamline does not implement, with the values that mean "off" (their
   * reference defaults), which are accepted and ignored.
   */
  private static final Map<String, Set<JsonNode>> UNSUPPORTED_REFERENCE_FIELDS =
      Map.of(
          "clip", Set.of(BooleanNode.FALSE, NullNode.instance),
          "lowLatencyRtmp", Set.of(BooleanNode.TRUE, NullNode.instance),
          "enableThumbnails", Set.of(BooleanNode.FALSE, NullNode.instance),
          "displaySrtPassphrase", Set.of(BooleanNode.FALSE, NullNode.instance),
          "srtPassphrase", Set.of(NullNode.instance),
          "drm", Set.of(BooleanNode.FALSE, NullNode.instance),
          "integrationId", Set.of(TextNode.valueOf("None"), NullNode.instance),
          "adminSettings", Set.of(NullNode.instance));

  private final ObjectMapper json;

  public TokenBodies(ObjectMapper json) {
    this.json = json;
  }

  /** Reads a create or v2 update body. */
  public Parsed read(JsonNode body, StreamingTokenKind kind, Operation operation) {
    if (body == null || body.isNull()) {
      throw TokenValidationException.of("request", "a JSON object body is required");
    }
    if (!body.isObject()) {
      throw TokenValidationException.of("request", "the body must be a JSON object");
    }
    TokenRules.Errors errors = new TokenRules.Errors();
    Set<String> present = new LinkedHashSet<>();
    ObjectNode known = json.createObjectNode();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      String name = field.getKey();
      if (UNSUPPORTED_REFERENCE_FIELDS.containsKey(name)) {
        // Bodies copied from the reference pass when these hold their default (off) value.
        if (!UNSUPPORTED_REFERENCE_FIELDS.get(name).contains(field.getValue())) {
          errors.add(name, "this reference feature is not supported by Beamline; omit it");
        }
        continue;
      }
      String problem = refusal(name, kind, operation);
      if (problem != null) {
        errors.add(name, problem);
      } else {
        present.add(name);
        known.set(name, field.getValue());
      }
    }
    errors.throwIfAny();
    try {
      return new Parsed(json.treeToValue(known, TokenRequest.class), present, Map.of());
    } catch (JsonMappingException e) {
      throw TokenValidationException.of(path(e), typeMessage(e));
    } catch (JsonProcessingException e) {
      throw TokenValidationException.of("request", "unreadable JSON");
    }
  }

  /**
   * Reads a v1 update body: restriction fields are named {@code update<Field>} there (e.g. {@code
   * updateAllowedOrigins}); they are renamed to the v2 names, and error fields named back.
   */
  public Parsed readV1(JsonNode body, StreamingTokenKind kind) {
    if (body == null || !body.isObject()) {
      return read(body, kind, Operation.UPDATE);
    }
    ObjectNode renamed = json.createObjectNode();
    Map<String, String> back = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      String name = field.getKey();
      String v2 = name;
      if (name.length() > 6 && name.startsWith("update") && Character.isUpperCase(name.charAt(6))) {
        v2 = name.substring(6, 7).toLowerCase(Locale.ROOT) + name.substring(7);
        back.put(v2, name);
      }
      renamed.set(v2, field.getValue());
    }
    try {
      Parsed parsed = read(renamed, kind, Operation.UPDATE);
      return new Parsed(parsed.request(), parsed.present(), back);
    } catch (TokenValidationException e) {
      throw renameFields(e, back);
    }
  }

  /** The same errors, with v2 field names replaced by the v1 names the client sent. */
  public static TokenValidationException renameFields(
      TokenValidationException e, Map<String, String> back) {
    if (back.isEmpty()) {
      return e;
    }
    List<Problem.FieldError> renamed =
        e.errors().stream()
            .map(
                error -> {
                  for (var entry : back.entrySet()) {
                    String v2 = entry.getKey();
                    String field = error.field();
                    if (field.equals(v2)
                        || field.startsWith(v2 + "[")
                        || field.startsWith(v2 + ".")) {
                      return new Problem.FieldError(
                          entry.getValue() + field.substring(v2.length()), error.message());
                    }
                  }
                  return error;
                })
            .toList();
    return new TokenValidationException(renamed);
  }

  /** JSON path of a type error, e.g. {@code streams[0].isRegex}. */
  private static String path(JsonMappingException e) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (field.length() > 0) {
          field.append('.');
        }
        field.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    return field.length() == 0 ? "request" : field.toString();
  }

  /** Jackson's reason without Java class names, which mean nothing to API users. */
  private static String typeMessage(JsonMappingException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      return "invalid value";
    }
    int cut = message.indexOf(" at [Source");
    if (cut > 0) {
      message = message.substring(0, cut);
    }
    message = message.replaceAll("`[a-zA-Z0-9_.$]+\\.([A-Za-z0-9_$]+)`", "$1");
    return "has the wrong type: " + message;
  }

  /** Why {@code name} is not accepted here, or null when it is. */
  private static String refusal(String name, StreamingTokenKind kind, Operation operation) {
    if (COMMON.contains(name)) {
      return null;
    }
    if (PUBLISH_ONLY.contains(name)) {
      return kind == StreamingTokenKind.PUBLISH ? null : "only publish tokens have this field";
    }
    if (CREATE_ONLY.contains(name)) {
      if (kind != StreamingTokenKind.SUBSCRIBE) {
        return "only subscribe tokens have this field";
      }
      return operation == Operation.CREATE ? null : "can only be set when the token is created";
    }
    if (UPDATE_ONLY.contains(name)) {
      return operation == Operation.UPDATE ? null : "can only be sent in an update";
    }
    return "unknown field";
  }
}
