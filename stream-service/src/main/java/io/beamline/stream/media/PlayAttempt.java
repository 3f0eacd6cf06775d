package io.beamline.stream.media;

/**
 * A viewer knocking on a media node, in the server-neutral form every adapter maps to.
 *
 * @param mediaClientId RTMP: the node's connection id; null for HLS
 * @param accountId the stream's account when the URL names it ({@code ?accountId=}); else the
 *     token's
 * @param relay the media node's own relay session, which is always let through
 * @param sourceId the source the viewer asked for ({@code ?sourceId=}); null = the main one (a
 *     media JWT's own source, if it names one, wins)
 */
public record PlayAttempt(
    String mediaNodeId,
    String mediaClientId,
    String streamName,
    String clientIp,
    String origin,
    String token,
    String jwt,
    String accountId,
    boolean relay,
    String protocol,
    String sourceId) {}
