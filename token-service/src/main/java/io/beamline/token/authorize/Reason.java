package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonValue;

/** Stable, machine-readable reasons an authorisation check refuses; never renamed once shipped. */
public enum Reason {
  /** No token was given, but the action or the stream needs one. */
  TOKEN_REQUIRED("token_required"),
  /** The opaque token, or the self-signed token's parent, is unknown (or of another account). */
  TOKEN_NOT_FOUND("token_not_found"),
  /** A publish token was used to watch, or a subscribe token to publish. */
  TOKEN_WRONG_TYPE("token_wrong_type"),
  /** The token is disabled ({@code isActive} false). */
  TOKEN_DISABLED("token_disabled"),
  /** The token, or the self-signed token, or its parent, has expired. */
  TOKEN_EXPIRED("token_expired"),
  /** A self-signed token is not a well-formed JWT with the required {@code streaming} claims. */
  INVALID_TOKEN("invalid_token"),
  /**
   * A self-signed token's signature does not verify with its parent's secret, or uses a bad alg.
   */
  INVALID_SIGNATURE("invalid_signature"),
  /** The stream name matches none of the token's names or regular expressions. */
  STREAM_NOT_ALLOWED("stream_not_allowed"),
  /** The request's Origin is not in the token's allowed origins. */
  ORIGIN_NOT_ALLOWED("origin_not_allowed"),
  /** The client address is not in the token's allowed addresses and ranges. */
  IP_NOT_ALLOWED("ip_not_allowed"),
  /** The token is already bound to its {@code bindIpsOnUsage} addresses and this is another one. */
  IP_BINDING_EXCEEDED("ip_binding_exceeded"),
  /** The client's country is refused by the token's or else the account's country rules. */
  COUNTRY_DENIED("country_denied"),
  /** Country rules apply but no GeoIP database is loaded, so the country cannot be known. */
  GEOIP_UNAVAILABLE("geoip_unavailable"),
  /** A self-signed token names a cluster its parent does not allow. */
  CLUSTER_NOT_ALLOWED("cluster_not_allowed"),
  /** A self-signed token carries a tracking id other than its parent's. */
  TRACKING_MISMATCH("tracking_mismatch"),
  /** The subscribe token already has its maximum number of concurrent viewers. */
  VIEWER_LIMIT_REACHED("viewer_limit_reached"),
  /** A single-use viewer token has already started media once. */
  TOKEN_ALREADY_USED("token_already_used");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  @JsonValue
  public String code() {
    return code;
  }
}
