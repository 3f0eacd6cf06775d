package io.beamline.token.authorize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.beamline.events.token.TokenKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token index's id-indexed storage: growth, kinds, removal and ids beyond the array. */
class TokenIndexSlotsTest {

  @Test
  void shouldFindTokensByIdAndKindAcrossGrowthAndRemoval() {
    TokenIndex index = new TokenIndex();
    TokenRules publish = rules(TokenKind.PUBLISH_TOKEN, 5, 1, "p".repeat(64));
    TokenRules subscribe = rules(TokenKind.SUBSCRIBE_TOKEN, 70_000, 1, "s".repeat(64));
    TokenRules far = rules(TokenKind.SUBSCRIBE_TOKEN, TokenSlots.MAX_SLOTS + 3, 1, "f".repeat(64));
    index.put(publish);
    index.put(subscribe); // beyond the first array: it grows
    index.put(far); // beyond any array: the fallback map

    assertSame(publish, index.publish(5));
    assertNull(index.subscribe(5), "id 5 is a publish token");
    assertSame(subscribe, index.subscribe(70_000));
    assertNull(index.publish(70_000));
    assertSame(far, index.subscribe(TokenSlots.MAX_SLOTS + 3));
    assertSame(subscribe, index.bySecret("s".repeat(64)));
    assertNull(index.subscribe(69_999));
    assertNull(index.subscribe(-1));
    assertEquals(3, index.size());

    // A regenerated secret replaces the old mapping; an older revision never wins.
    TokenRules regenerated = rules(TokenKind.SUBSCRIBE_TOKEN, 70_000, 2, "t".repeat(64));
    index.put(regenerated);
    index.put(rules(TokenKind.SUBSCRIBE_TOKEN, 70_000, 1, "s".repeat(64)));
    assertSame(regenerated, index.subscribe(70_000));
    assertNull(index.bySecret("s".repeat(64)));

    index.remove(TokenRef.subscribe(70_000), 3);
    index.remove(TokenRef.subscribe(5), 3); // wrong kind: the publish token stays
    assertNull(index.subscribe(70_000));
    assertNull(index.bySecret("t".repeat(64)));
    assertSame(publish, index.publish(5));
    assertEquals(2, index.size());
  }

  private static TokenRules rules(TokenKind kind, long id, long revision, String secret) {
    return TokenRules.compile(
        new TokenDefinition(
            kind,
            id,
            revision,
            "ACC",
            "t",
            secret,
            true,
            null,
            List.of(new StreamRule("s", false)),
            List.of(),
            List.of(),
            null,
            List.of(),
            List.of(),
            null,
            false,
            false,
            true,
            null,
            null,
            false,
            null,
            false));
  }
}
