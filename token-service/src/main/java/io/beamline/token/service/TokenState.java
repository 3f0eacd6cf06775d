package io.beamline.token.service;

import io.beamline.token.RestreamTarget;
import io.beamline.token.StreamingToken;
import io.beamline.token.TokenStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The editable settings of a token while a request is applied to them, so the result can be
 * validated as a whole and compared with the stored state (for {@code changedFields}).
 */
final class TokenState {

  String label;
  Instant expiresOn;
  boolean isActive = true;
  List<TokenStream> streams = new ArrayList<>();
  List<String> allowedOrigins = new ArrayList<>();
  List<String> allowedIpAddresses = new ArrayList<>();
  Integer bindIpsOnUsage;
  List<String> allowedCountries = new ArrayList<>();
  List<String> deniedCountries = new ArrayList<>();
  String originCluster;
  boolean subscribeRequiresAuth;
  boolean record;
  boolean multisource = true;
  Integer priority;
  List<RestreamTarget> restream = new ArrayList<>();
  String trackingId;

  static TokenState of(StreamingToken token, List<RestreamTarget> restream) {
    TokenState state = new TokenState();
    state.label = token.label;
    state.expiresOn = token.expiresOn;
    state.isActive = token.isActive;
    state.streams = new ArrayList<>(token.streams);
    state.allowedOrigins = new ArrayList<>(token.allowedOrigins);
    state.allowedIpAddresses = new ArrayList<>(token.allowedIpAddresses);
    state.bindIpsOnUsage = token.bindIpsOnUsage;
    state.allowedCountries = new ArrayList<>(token.allowedCountries);
    state.deniedCountries = new ArrayList<>(token.deniedCountries);
    state.originCluster = token.originCluster;
    state.subscribeRequiresAuth = token.subscribeRequiresAuth;
    state.record = token.record;
    state.multisource = token.multisource;
    state.priority = token.priority;
    state.restream = new ArrayList<>(restream);
    state.trackingId = token.trackingId;
    return state;
  }

  /** Copies everything but the restream targets, which are sealed by {@link TokenSecrets}. */
  void writeTo(StreamingToken token) {
    token.label = label;
    if (!Objects.equals(token.expiresOn, expiresOn)) {
      // A new expiry is announced again when it passes.
      token.expiryAnnounced = false;
    }
    token.expiresOn = expiresOn;
    token.isActive = isActive;
    token.streams = new ArrayList<>(streams);
    token.allowedOrigins = new ArrayList<>(allowedOrigins);
    token.allowedIpAddresses = new ArrayList<>(allowedIpAddresses);
    token.bindIpsOnUsage = bindIpsOnUsage;
    token.allowedCountries = new ArrayList<>(allowedCountries);
    token.deniedCountries = new ArrayList<>(deniedCountries);
    token.originCluster = originCluster;
    token.subscribeRequiresAuth = subscribeRequiresAuth;
    token.record = record;
    token.multisource = multisource;
    token.priority = priority;
    token.trackingId = trackingId;
  }

  /** REST field names whose values differ from {@code before}, in resource order. */
  List<String> changedFrom(TokenState before) {
    List<String> changed = new ArrayList<>();
    diff(changed, "label", label, before.label);
    diff(changed, "expiresOn", expiresOn, before.expiresOn);
    diff(changed, "isActive", isActive, before.isActive);
    diff(changed, "streams", streams, before.streams);
    diff(changed, "allowedOrigins", allowedOrigins, before.allowedOrigins);
    diff(changed, "allowedIpAddresses", allowedIpAddresses, before.allowedIpAddresses);
    diff(changed, "bindIpsOnUsage", bindIpsOnUsage, before.bindIpsOnUsage);
    diff(changed, "allowedCountries", allowedCountries, before.allowedCountries);
    diff(changed, "deniedCountries", deniedCountries, before.deniedCountries);
    diff(changed, "originCluster", originCluster, before.originCluster);
    diff(changed, "subscribeRequiresAuth", subscribeRequiresAuth, before.subscribeRequiresAuth);
    diff(changed, "record", record, before.record);
    diff(changed, "multisource", multisource, before.multisource);
    diff(changed, "priority", priority, before.priority);
    diff(changed, "restream", restream, before.restream);
    return changed;
  }

  private static void diff(List<String> changed, String name, Object now, Object before) {
    if (!Objects.equals(now, before)) {
      changed.add(name);
    }
  }
}
