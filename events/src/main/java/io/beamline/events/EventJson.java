package io.beamline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/** Builds the Jackson mapper every producer and consumer uses for event payloads. */
public final class EventJson {

  private EventJson() {}

  /** A new mapper configured for the contract; build one per component and share it. */
  public static ObjectMapper newObjectMapper() {
    // Registered after the time module, so it reads instants in its place; not in configure(),
    // which may be applied to a framework's mapper whose types carry their own formats.
    return configure(JsonMapper.builder().build())
        .registerModule(new SimpleModule().addDeserializer(Instant.class, new InstantReader()));
  }

  /**
   * Applies the contract's settings to an existing mapper (for example a copy of a framework's
   * mapper) and returns it.
   */
  public static ObjectMapper configure(ObjectMapper mapper) {
    mapper.registerModule(new JavaTimeModule());
    // Instants as ISO-8601 strings, in UTC as written, never epoch numbers.
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    // Tolerant readers: a producer may add fields or enum values before its consumers upgrade.
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE);
    // Absent optional fields are left out rather than written as null.
    mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
    // No default typing, ever: payload classes come from the topic, never from the message.
    mapper.deactivateDefaultTyping();
    return mapper;
  }
}
