package io.beamline.stream.service;

/**
 * A viewer the media node is about to serve.
 *
 * @param sessionId the new session's id
 * @param mediaClientId RTMP: the node's connection id; null for HLS
 * @param grantId HLS: the media JWT id its URLs carry; null for RTMP
 */
public record ViewerStart(
    String sessionId,
    String accountId,
    String streamName,
    String feedId,
    Long tokenId,
    String trackingId,
    String clientCountry,
    String protocol,
    String mediaNodeId,
    String mediaClientId,
    String grantId,
    boolean internalReader) {}
