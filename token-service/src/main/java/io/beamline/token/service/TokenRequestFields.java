package io.beamline.token.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.TokenStream;
import io.beamline.token.config.TokensConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Applies the fields a create or update request sent to a token's state, validating each. */
@ApplicationScoped
public class TokenRequestFields {

  private final TokenRules rules;
  private final TokensConfig config;

  public TokenRequestFields(TokenRules rules, TokensConfig config) {
    this.rules = rules;
    this.config = config;
  }

  /** Applies the present fields of {@code request} to {@code state}, validating each. */
  void apply(
      TokenState state,
      TokenRequest r,
      Set<String> present,
      StreamingTokenKind kind,
      boolean create,
      Instant now,
      TokenRules.Errors errors) {
    if (present.contains("label")) {
      state.label = rules.label(r.label(), "label", errors);
    }
    applyExpiry(state, r, present, now, errors);
    if (present.contains("isActive")) {
      if (r.isActive() == null) {
        errors.add("isActive", "must be true or false");
      } else {
        state.isActive = r.isActive();
      }
    }
    if (present.contains("streams")) {
      state.streams = new ArrayList<>(rules.streams(r.streams(), "streams", errors));
    }
    if (present.contains("addTokenStreams")) {
      for (TokenStream add : rules.streams(r.addTokenStreams(), "addTokenStreams", errors)) {
        if (!state.streams.contains(add)) {
          state.streams.add(add);
        }
      }
    }
    if (present.contains("removeTokenStreams") && r.removeTokenStreams() != null) {
      List<JsonNode> removals = r.removeTokenStreams();
      for (int i = 0; i < removals.size(); i++) {
        JsonNode removal = removals.get(i);
        if (removal != null && removal.isTextual()) {
          String name = removal.asText();
          state.streams.removeIf(s -> s.streamName().equals(name));
        } else if (removal != null
            && removal.isObject()
            && removal.path("streamName").isTextual()) {
          String name = removal.get("streamName").asText();
          JsonNode regex = removal.get("isRegex");
          state.streams.removeIf(
              s ->
                  s.streamName().equals(name)
                      && (regex == null || !regex.isBoolean() || s.isRegex() == regex.asBoolean()));
        } else {
          errors.add(
              "removeTokenStreams[" + i + "]",
              "must be a stream name or {\"streamName\": ..., \"isRegex\": ...}");
        }
      }
    }
    if (present.contains("allowedOrigins")) {
      state.allowedOrigins =
          new ArrayList<>(rules.origins(r.allowedOrigins(), "allowedOrigins", errors));
    }
    if (present.contains("allowedIpAddresses")) {
      state.allowedIpAddresses =
          new ArrayList<>(rules.ipAddresses(r.allowedIpAddresses(), "allowedIpAddresses", errors));
    }
    if (present.contains("bindIpsOnUsage")) {
      state.bindIpsOnUsage = rules.bindIps(r.bindIpsOnUsage(), "bindIpsOnUsage", errors);
    }
    if (present.contains("allowedCountries")) {
      state.allowedCountries =
          new ArrayList<>(rules.countries(r.allowedCountries(), "allowedCountries", errors));
    }
    if (present.contains("deniedCountries")) {
      state.deniedCountries =
          new ArrayList<>(rules.countries(r.deniedCountries(), "deniedCountries", errors));
    }
    if (present.contains("originCluster")) {
      state.originCluster = rules.cluster(r.originCluster(), "originCluster", errors);
    }
    if (kind == StreamingTokenKind.PUBLISH) {
      state.subscribeRequiresAuth =
          bool(
              present,
              "subscribeRequiresAuth",
              r.subscribeRequiresAuth(),
              state.subscribeRequiresAuth,
              errors);
      state.record = bool(present, "record", r.record(), state.record, errors);
      state.multisource = bool(present, "multisource", r.multisource(), state.multisource, errors);
      if (present.contains("priority")) {
        state.priority = r.priority();
      }
      if (present.contains("restream")) {
        state.restream = new ArrayList<>(rules.restream(r.restream(), "restream", errors));
      }
    } else if (create && present.contains("tracking") && r.tracking() != null) {
      state.trackingId = rules.trackingId(r.tracking().trackingId(), "tracking.trackingId", errors);
    }
  }

  private void applyExpiry(
      TokenState state,
      TokenRequest r,
      Set<String> present,
      Instant now,
      TokenRules.Errors errors) {
    Duration max = config.maxLifetime();
    if (r.expires() != null && r.expiresOn() != null) {
      errors.add("expires", "send either expires (seconds from now) or expiresOn, not both");
      return;
    }
    if (present.contains("expires")) {
      if (r.expires() == null) {
        state.expiresOn = null;
      } else if (r.expires() < 1 || r.expires() > max.toSeconds()) {
        errors.add("expires", "must be 1 to " + max.toSeconds() + " seconds (or absent: never)");
      } else {
        state.expiresOn = now.plusSeconds(r.expires());
      }
    }
    if (present.contains("expiresOn")) {
      if (r.expiresOn() == null) {
        state.expiresOn = null;
      } else if (!r.expiresOn().isAfter(now)) {
        errors.add("expiresOn", "must be in the future");
      } else if (r.expiresOn().isAfter(now.plus(max))) {
        errors.add("expiresOn", "must be at most " + max.toDays() + " days from now");
      } else {
        state.expiresOn = r.expiresOn();
      }
    }
  }

  private static boolean bool(
      Set<String> present, String field, Boolean value, boolean current, TokenRules.Errors e) {
    if (!present.contains(field)) {
      return current;
    }
    if (value == null) {
      e.add(field, "must be true or false");
      return current;
    }
    return value;
  }

  /** Rules about the token as a whole, checked on the state after the request. */
  static void validateWhole(TokenState state, Set<String> present, TokenRules.Errors errors) {
    if (state.streams.isEmpty() && !errors.has("streams") && !errors.has("addTokenStreams")) {
      errors.add(
          present.contains("removeTokenStreams") ? "removeTokenStreams" : "streams",
          "a token needs at least one stream entry; {\"streamName\":\".*\",\"isRegex\":true}"
              + " allows any");
    }
    if (!state.allowedIpAddresses.isEmpty() && state.bindIpsOnUsage != null) {
      errors.add(
          present.contains("bindIpsOnUsage") ? "bindIpsOnUsage" : "allowedIpAddresses",
          "allowedIpAddresses and bindIpsOnUsage are mutually exclusive: use one of them");
    }
    if (!state.allowedCountries.isEmpty() && !state.deniedCountries.isEmpty()) {
      errors.add(
          present.contains("deniedCountries") ? "deniedCountries" : "allowedCountries",
          "use only one of allowedCountries and deniedCountries");
    }
  }
}
