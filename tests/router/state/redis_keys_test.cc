// Tests the Redis key schema of the state layer.
#include "router/state/redis_keys.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::state::keys {
namespace {

TEST(RedisKeysTest, Schema) {
  EXPECT_EQ(Contact("utrecht", "c-1"), "w:{utrecht}:c:c-1");
  EXPECT_EQ(History("utrecht", "c-1"), "w:{utrecht}:c:c-1:h");
  EXPECT_EQ(Live("utrecht"), "w:{utrecht}:live");
  EXPECT_EQ(Handler("utrecht", "h-1"), "w:{utrecht}:h:h-1");
  EXPECT_EQ(Held("utrecht", "h-1"), "w:{utrecht}:h:h-1:held");
  EXPECT_EQ(Handlers("utrecht"), "w:{utrecht}:handlers");
  EXPECT_EQ(ContactPerson("utrecht", std::string(64, 'f'), "wmo"),
            "w:{utrecht}:cp:" + std::string(64, 'f') + ":wmo");
  EXPECT_EQ(ContactPersons("utrecht"), "w:{utrecht}:cps");
  EXPECT_EQ(ResidentIndex("utrecht", std::string(64, 'a')),
            "w:{utrecht}:p:" + std::string(64, 'a'));
  EXPECT_EQ(Audit("utrecht"), "w:{utrecht}:audit");
  // SHA-256 of "abc": its first 16 bytes in URL-safe base64, and the whole in hex (legacy).
  EXPECT_EQ(Idempotency("utrecht", "abc"), "w:{utrecht}:i:ungWv48Bz-pBQUDeXa4iIw");
  EXPECT_EQ(IdempotencyDigest("abc"), "ungWv48Bz-pBQUDeXa4iIw");
  EXPECT_EQ(LegacyIdempotency("utrecht", "abc"),
            "w:{utrecht}:idem:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RedisKeysTest, Validation) {
  EXPECT_TRUE(ValidTenant("den-haag-2"));
  EXPECT_FALSE(ValidTenant(""));
  EXPECT_FALSE(ValidTenant("Den-Haag"));
  EXPECT_FALSE(ValidTenant("a}b"));
  EXPECT_FALSE(ValidTenant(std::string(65, 'a')));
  EXPECT_TRUE(ValidId("c-123_ABC.x@y"));
  for (const char* bad : {"", "a:b", "a,b", "a|b", "a{b", "a}b", "a b", "a\nb"}) {
    EXPECT_FALSE(ValidId(bad)) << bad;
  }
  EXPECT_FALSE(ValidId(std::string(257, 'a')));
  EXPECT_TRUE(ValidPseudonym("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  for (const std::string& bad :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
        std::string(63, 'a') + "g", std::string("123456782")}) {
    EXPECT_FALSE(ValidPseudonym(bad)) << bad;
  }
}

}  // namespace
}  // namespace wissel::state::keys
