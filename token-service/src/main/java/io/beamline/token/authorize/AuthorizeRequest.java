package io.beamline.token.authorize;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One request to authorise, as a media-server callback or the Director sees it.
 *
 * @param action {@code publish} or {@code subscribe}
 * @param streamName the stream to publish or watch (without the account prefix)
 * @param accountId the stream's account; required to watch without a token, otherwise optional (a
 *     token of another account is then refused as {@code token_not_found})
 * @param token the bearer: an opaque publish or subscribe token, a self-signed subscribe token, or
 *     null/empty to watch an open stream
 * @param origin the browser's {@code Origin} (or Referer host), if any
 * @param clientIp the client's IPv4 or IPv6 address
 * @param publishTokenId subscribe only: the publish token of the live stream, when the caller knows
 *     it; its {@code subscribeRequiresAuth} and country rules then apply to viewers
 */
public record AuthorizeRequest(
    @NotNull @Pattern(regexp = "publish|subscribe", message = "must be publish or subscribe")
        String action,
    @NotBlank @Size(max = 128) String streamName,
    @Size(max = 64) String accountId,
    @Size(max = 8192) String token,
    @Size(max = 2048) String origin,
    @NotBlank @ClientIp @Schema(examples = "203.0.113.7") String clientIp,
    Long publishTokenId) {

  public boolean publish() {
    return "publish".equals(action);
  }

  /**
   * Whether every constraint declared above holds, checked by hand: the same rules as Bean
   * Validation, for the hot path that answers without it ({@link AuthorizeRoute}); a request that
   * fails here goes through validation proper, which names the field.
   */
  public boolean satisfiesConstraints() {
    return ("publish".equals(action) || "subscribe".equals(action))
        && notBlank(streamName)
        && streamName.length() <= 128
        && (accountId == null || accountId.length() <= 64)
        && (token == null || token.length() <= 8192)
        && (origin == null || origin.length() <= 2048)
        && notBlank(clientIp)
        && ClientAddress.parse(clientIp) != null;
  }

  /** As {@code @NotBlank}: not null and not empty once trimmed. */
  private static boolean notBlank(String value) {
    return value != null && !value.trim().isEmpty();
  }

  /** The token, or null when none was given. */
  public String bearer() {
    return token == null || token.isBlank() ? null : token.trim();
  }
}
