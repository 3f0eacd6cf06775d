package io.beamline.stream.service;

/**
 * A publisher the media node is about to let in, as the adapter describes it to the lifecycle.
 *
 * @param sourceId multi-source id from the publish URL; null = the main source
 * @param priority backup priority from the URL, else the token's; null = unset
 * @param simulcastId rendition ladder id from the URL; null = none
 * @param protocol ingest protocol, e.g. {@code rtmp}
 */
public record FeedStart(
    String accountId,
    String streamName,
    long tokenId,
    String sourceId,
    Integer priority,
    String simulcastId,
    String mediaNodeId,
    String mediaClientId,
    String protocol,
    String clientIp,
    String clientCountry,
    boolean record,
    boolean restream,
    boolean multisource,
    boolean secure) {}
