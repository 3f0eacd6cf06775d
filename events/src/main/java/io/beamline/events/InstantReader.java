package io.beamline.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Reads payload instants through {@link Instants#parse}; other JSON shapes (numbers), and text it
 * cannot parse, as the contract's time module reads and reports them.
 */
final class InstantReader extends StdScalarDeserializer<Instant> {

  InstantReader() {
    super(Instant.class);
  }

  @Override
  public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      try {
        return Instants.parse(p.getText().trim());
      } catch (DateTimeException e) {
        // Fall through: the standard deserializer reports it the usual way.
      }
    }
    return InstantDeserializer.INSTANT.deserialize(p, ctxt);
  }
}
