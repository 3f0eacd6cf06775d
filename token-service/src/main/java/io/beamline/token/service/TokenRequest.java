package io.beamline.token.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.token.TokenStream;
import java.time.Instant;
import java.util.List;

/**
 * The body of a create or (v2) update of a publish or subscribe token, with the reference API's
 * field names. Which fields were present at all is tracked separately, because in an update an
 * absent field keeps its value while {@code null} clears it (e.g. {@code priority: null}).
 *
 * @param label display name, 1 to 128 characters
 * @param expires lifetime in seconds from now (reference create field)
 * @param expiresOn absolute expiry; null in an update = never expires
 * @param streams allowed stream names or patterns (replaces the list)
 * @param addTokenStreams update: entries to add
 * @param removeTokenStreams update: entries to remove, as names or {@code {streamName, isRegex}}
 * @param refreshToken update: true = new secret, the old one stops working
 * @param isActive update: false disables the token, true enables it
 * @param allowedOrigins allowed {@code Origin}s or host names, {@code *.example.com} wildcards
 * @param allowedIpAddresses allowed IPv4/IPv6 addresses and CIDR blocks
 * @param bindIpsOnUsage bind to the first N client addresses seen
 * @param allowedCountries ISO-3166 alpha-2 codes allowed (overrides the account's)
 * @param deniedCountries ISO-3166 alpha-2 codes denied (overrides the account's)
 * @param originCluster cluster id or {@code auto}
 * @param subscribeRequiresAuth publish tokens: viewers need a subscribe token
 * @param record publish tokens: recording allowed
 * @param multisource publish tokens: several sources per stream (default true)
 * @param priority publish tokens: default redundant-ingest priority
 * @param restream publish tokens: push targets
 * @param tracking subscribe tokens, create only: {@code {trackingId}}
 */
public record TokenRequest(
    String label,
    Long expires,
    Instant expiresOn,
    List<TokenStream> streams,
    List<TokenStream> addTokenStreams,
    List<JsonNode> removeTokenStreams,
    Boolean refreshToken,
    @JsonProperty("isActive") Boolean isActive,
    List<String> allowedOrigins,
    List<String> allowedIpAddresses,
    Integer bindIpsOnUsage,
    List<String> allowedCountries,
    List<String> deniedCountries,
    String originCluster,
    Boolean subscribeRequiresAuth,
    Boolean record,
    Boolean multisource,
    Integer priority,
    List<RestreamTargetRequest> restream,
    Tracking tracking) {

  /**
   * A restream target as sent.
   *
   * @param url {@code rtmp://}, {@code rtmps://} or {@code srt://} URL, 1 to 2048 characters
   * @param key stream key, 5 to 512 characters
   * @param label optional display name, at most 2048 characters
   * @param enabled default true
   */
  public record RestreamTargetRequest(String url, String key, String label, Boolean enabled) {}

  /**
   * Partner tracking of a subscribe token.
   *
   * @param trackingId groups viewers for syndication billing, 1 to 128 characters
   */
  public record Tracking(String trackingId) {}
}
