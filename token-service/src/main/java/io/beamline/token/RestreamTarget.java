package io.beamline.token;

/**
 * A push target a publish token's streams are restreamed to (used by syndication-service).
 *
 * @param url {@code rtmp://}, {@code rtmps://} or {@code srt://} URL, 1 to 2048 characters
 * @param key the target's stream key, 5 to 512 characters; a credential, stored sealed
 * @param label display name, at most 2048 characters; may be null
 * @param enabled whether the target is used (default true)
 */
public record RestreamTarget(String url, String key, String label, boolean enabled) {}
