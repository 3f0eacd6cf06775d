package io.beamline.token;

import io.beamline.events.token.TokenKind;

/** Which of the two streaming token kinds a {@link StreamingToken} is. */
public enum StreamingTokenKind {
  /** Lets an encoder publish to matching stream names (reference {@code /api/publish_token}). */
  PUBLISH(TokenKind.PUBLISH_TOKEN, "publish token"),
  /** Lets viewers watch secured streams (reference {@code /api/subscribe_token}). */
  SUBSCRIBE(TokenKind.SUBSCRIBE_TOKEN, "subscribe token");

  private final TokenKind eventKind;
  private final String displayName;

  StreamingTokenKind(TokenKind eventKind, String displayName) {
    this.eventKind = eventKind;
    this.displayName = displayName;
  }

  /** The {@code tokenKind} this kind has in token events. */
  public TokenKind eventKind() {
    return eventKind;
  }

  /** Human name for messages, e.g. {@code publish token}. */
  public String displayName() {
    return displayName;
  }
}
