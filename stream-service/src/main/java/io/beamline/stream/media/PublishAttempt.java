package io.beamline.stream.media;

/**
 * A publisher knocking on a media node, in the server-neutral form every adapter maps to.
 *
 * @param mediaClientId the node's id of the connection, repeated by its later callbacks
 * @param token a publish token from the URL ({@code ?token=}), or null
 * @param jwt a media JWT from the Director ({@code ?jwt=}), or null
 * @param priority {@code ?priority=}; overrides the token's
 * @param protocol ingest protocol, e.g. {@code rtmp}
 */
public record PublishAttempt(
    String mediaNodeId,
    String mediaClientId,
    String streamName,
    String clientIp,
    String token,
    String jwt,
    String sourceId,
    Integer priority,
    String simulcastId,
    boolean noRecord,
    boolean noRestream,
    String protocol) {}
