package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of a token's {@code streams}: an exact stream name, or a regular expression when {@code
 * isRegex} is true.
 */
public record StreamRule(
    @JsonProperty("streamName") String streamName, @JsonProperty("isRegex") boolean isRegex) {}
