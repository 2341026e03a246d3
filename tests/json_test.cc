// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace eyelet {
namespace {

TEST(Json, NestedValuesAreIndentedAndSeparated) {
  JsonWriter j;
  j.BeginObject().Key("a").Int(-3).Key("b").BeginArray().Bool(true).Null().String("x").EndArray();
  j.Key("c").BeginObject().EndObject().Key("d").BeginArray().EndArray().EndObject();
  EXPECT_EQ(j.str(),
            "{\n"
            "  \"a\": -3,\n"
            "  \"b\": [\n"
            "    true,\n"
            "    null,\n"
            "    \"x\"\n"
            "  ],\n"
            "  \"c\": {},\n"
            "  \"d\": []\n"
            "}\n");
}

TEST(Json, StringsAreEscaped) {
  JsonWriter j;
  j.String("a\"b\\c\nd\te\x01");
  EXPECT_EQ(j.str(), "\"a\\\"b\\\\c\\nd\\te\\u0001\"\n");
}

TEST(Json, DoublesRoundTripInTheFewestDigits) {
  JsonWriter j;
  j.BeginArray().Double(0.1).Double(2.0).Double(1.0 / 3).Double(1e300).Double(NAN).EndArray();
  EXPECT_EQ(j.str(), "[\n  0.1,\n  2,\n  0.3333333333333333,\n  1e+300,\n  null\n]\n");
}

}  // namespace
}  // namespace eyelet
