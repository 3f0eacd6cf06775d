package io.beamline.stream.service;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of token-service's {@code POST /internal/authorize}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuthorizeRequest(
    String action,
    String streamName,
    String accountId,
    String token,
    String origin,
    String clientIp,
    Long publishTokenId) {

  public static AuthorizeRequest publish(
      String streamName, String token, String origin, String ip) {
    return new AuthorizeRequest("publish", streamName, null, token, origin, ip, null);
  }

  public static AuthorizeRequest subscribe(
      String streamName,
      String accountId,
      String token,
      String origin,
      String ip,
      Long publishTokenId) {
    return new AuthorizeRequest(
        "subscribe", streamName, accountId, token, origin, ip, publishTokenId);
  }
}
