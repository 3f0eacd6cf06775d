package io.beamline.events.token;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Kind of credential a token event is about. */
public enum TokenKind {
  /** Management API key (a JWT signed by token-service). */
  API_KEY,
  /** Publish token: lets an encoder publish to matching stream names. */
  PUBLISH_TOKEN,
  /** Subscribe token: lets viewers watch secured streams. */
  SUBSCRIBE_TOKEN,
  /** Read side only: a kind newer than this reader. Producers never write it. */
  @JsonEnumDefaultValue
  UNKNOWN
}
