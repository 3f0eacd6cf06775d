package io.beamline.token.authorize;

import io.beamline.events.token.TokenKind;

/** Identity of a publish or subscribe token: the two kinds are numbered separately. */
public record TokenRef(TokenKind kind, long id) {

  public static TokenRef publish(long id) {
    return new TokenRef(TokenKind.PUBLISH_TOKEN, id);
  }

  public static TokenRef subscribe(long id) {
    return new TokenRef(TokenKind.SUBSCRIBE_TOKEN, id);
  }

  /** The kind as stored in this package's tables and shown in answers: publish or subscribe. */
  public String type() {
    return kind == TokenKind.PUBLISH_TOKEN ? "publish" : "subscribe";
  }
}
