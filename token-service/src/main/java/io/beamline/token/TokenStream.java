package io.beamline.token;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One stream-name rule of a token: an exact name, or a regular expression (RE2 syntax, matched
 * against the whole name) when {@code isRegex}.
 *
 * @param streamName the stream name or pattern, 1 to 128 characters
 * @param isRegex whether {@code streamName} is a regular expression
 */
public record TokenStream(String streamName, @JsonProperty("isRegex") boolean isRegex) {}
