#include "router/core/rules/condition.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/suggestion.h"
#include "router/core/channel.h"
#include "router/core/contact.h"

namespace wissel::core::rules {
namespace {

enum class ValueType {
  kBool,
  kChannel,
  kTopic,
  kDomain,
  kPhase,
  kString,
  kNeedSet,
  kDigid,
  kInt,
  kDuration,
  kTime,
  kDay,
};

constexpr absl::string_view kAttributesPrefix = "attributes.";

struct NamedValue {
  absl::string_view name;
  int64_t value;
};

constexpr NamedValue kPhases[] = {
    {"none", static_cast<int64_t>(ServicePhase::kNone)},
    {"eigen_kracht", static_cast<int64_t>(ServicePhase::kEigenKracht)},
    {"preventie", static_cast<int64_t>(ServicePhase::kPreventie)},
    {"maatwerk", static_cast<int64_t>(ServicePhase::kMaatwerk)},
};

constexpr NamedValue kDigidLevels[] = {
    {"none", static_cast<int64_t>(DigidLevel::kNone)},
    {"basis", static_cast<int64_t>(DigidLevel::kBasis)},
    {"midden", static_cast<int64_t>(DigidLevel::kMidden)},
    {"substantieel", static_cast<int64_t>(DigidLevel::kSubstantieel)},
    {"hoog", static_cast<int64_t>(DigidLevel::kHoog)},
};

constexpr NamedValue kDays[] = {
    {"mon", 0}, {"tue", 1}, {"wed", 2}, {"thu", 3}, {"fri", 4}, {"sat", 5}, {"sun", 6},
    {"ma", 0},  {"di", 1},  {"wo", 2},  {"do", 3},  {"vr", 4},  {"za", 5},  {"zo", 6},
};

constexpr NamedValue kNeeds[] = {
    {"low_digital_skills", static_cast<int64_t>(Need::kLowDigitalSkills)},
    {"language_barrier", static_cast<int64_t>(Need::kLanguageBarrier)},
    {"impairment", static_cast<int64_t>(Need::kImpairment)},
    {"vulnerable_situation", static_cast<int64_t>(Need::kVulnerable)},
    {"vulnerable", static_cast<int64_t>(Need::kVulnerable)},
};

absl::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "true or false";
    case ValueType::kChannel:
      return "a channel (phone, chat, web_form, balie, email)";
    case ValueType::kTopic:
      return "a topic code";
    case ValueType::kDomain:
      return "a domain";
    case ValueType::kPhase:
      return "a phase (eigen_kracht, preventie, maatwerk, none)";
    case ValueType::kString:
      return "a string";
    case ValueType::kNeedSet:
      return "a set of needs";
    case ValueType::kDigid:
      return "a DigiD level (none, basis, midden, substantieel, hoog)";
    case ValueType::kInt:
      return "a whole number";
    case ValueType::kDuration:
      return "a duration such as 45s, 2m or 1h";
    case ValueType::kTime:
      return "a time of day such as 08:30";
    case ValueType::kDay:
      return "a day (mon, tue, wed, thu, fri, sat, sun)";
  }
  return "a value";
}

absl::string_view DescribeOperand(const Operand& operand) {
  switch (operand.kind) {
    case Operand::Kind::kWord:
      return "the word";
    case Operand::Kind::kString:
      return "the string";
    case Operand::Kind::kInteger:
      return "the number";
    case Operand::Kind::kDuration:
      return "the duration";
    case Operand::Kind::kTime:
      return "the time";
  }
  return "the value";
}

bool IsOrdered(ValueType type) {
  return type == ValueType::kInt || type == ValueType::kDuration || type == ValueType::kTime ||
         type == ValueType::kDay || type == ValueType::kDigid;
}

bool IsWordLike(const Operand& operand) {
  return operand.kind == Operand::Kind::kWord || operand.kind == Operand::Kind::kString;
}

}  // namespace

int64_t TopicTable::TopicIndex(const TopicConfig* topic) const {
  if (topic == nullptr) return -1;
  // std::less gives a total order on pointers, also for pointers into different arrays.
  const std::less<> less;
  if (!less(topic, topics) && less(topic, topics + topic_count)) return topic - topics;
  for (size_t i = 0; i < topic_count; ++i) {
    if (topics[i].code == topic->code) return static_cast<int64_t>(i);
  }
  return -1;
}

Condition::Condition() {
  // An empty catalogue, shared by every default-constructed condition.
  static const auto* const kNoTopics =
      new std::shared_ptr<const TopicTable>(std::make_shared<TopicTable>());
  topics_ = *kNoTopics;
  nodes_.push_back(Node{NodeKind::kConst, Field::kChannel, CompareOp::kEq, false, 0, 0, 0, 1});
}

ContextFacts ContextFacts::Of(const RuleContext& ctx, const TopicTable& topics) {
  ContextFacts facts;
  facts.topic_index = topics.TopicIndex(ctx.topic);
  if (facts.topic_index >= 0) {
    facts.domain = topics.domain_of[static_cast<size_t>(facts.topic_index)];
  }
  facts.seconds_of_day =
      ctx.local_time.hour() * 3600 + ctx.local_time.minute() * 60 + ctx.local_time.second();
  switch (absl::GetWeekday(absl::CivilDay(ctx.local_time))) {
    case absl::Weekday::monday:
      facts.weekday = 0;
      break;
    case absl::Weekday::tuesday:
      facts.weekday = 1;
      break;
    case absl::Weekday::wednesday:
      facts.weekday = 2;
      break;
    case absl::Weekday::thursday:
      facts.weekday = 3;
      break;
    case absl::Weekday::friday:
      facts.weekday = 4;
      break;
    case absl::Weekday::saturday:
      facts.weekday = 5;
      break;
    case absl::Weekday::sunday:
      facts.weekday = 6;
      break;
  }
  return facts;
}

int64_t Condition::IntValue(Field field, const RuleContext& ctx, const ContextFacts& facts) {
  switch (field) {
    case Field::kChannel:
      return static_cast<int64_t>(ctx.channel);
    case Field::kTopic:
      return facts.topic_index;
    case Field::kTopicDomain:
      return facts.domain;
    case Field::kTopicPhase:
      return static_cast<int64_t>(ctx.topic == nullptr ? ServicePhase::kNone : ctx.topic->phase);
    case Field::kTopicConfidential:
      return ctx.topic != nullptr && ctx.topic->confidential;
    case Field::kTopicHasDigitalAlternative:
      return ctx.topic != nullptr && ctx.topic->digital_alternative.has_value();
    case Field::kNeedsAny:
      return ctx.needs != 0;
    case Field::kNeedsCount:
      return std::popcount(ctx.needs);
    case Field::kDigid:
      return static_cast<int64_t>(ctx.digid);
    case Field::kPartyKnown:
      return ctx.party_known;
    case Field::kCaseOpen:
      return ctx.case_open;
    case Field::kContactPersonExists:
      return ctx.has_contact_person;
    case Field::kWantsPerson:
      return ctx.wants_person;
    case Field::kPriority:
      return ctx.priority;
    case Field::kQueueExpectedWait:
      return absl::ToInt64Milliseconds(ctx.queue_expected_wait);  // saturates when infinite
    case Field::kTime:
      return facts.seconds_of_day;
    case Field::kDay:
      return facts.weekday;
    case Field::kOpen:
      return ctx.open;
    case Field::kLanguage:
    case Field::kAttribute:
      break;  // strings; never compiled into an integer node
  }
  return -1;
}

absl::string_view Condition::StringValue(const Node& node, const RuleContext& ctx) const {
  if (node.field == Field::kLanguage) return ctx.language;
  if (ctx.attributes == nullptr) return absl::string_view();
  const std::string& name = strings_[node.name];
  for (const auto& [key, value] : *ctx.attributes) {
    if (key == name) return value;
  }
  return absl::string_view();
}

bool Condition::Eval(uint32_t index, const RuleContext& ctx, const ContextFacts& facts) const {
  const Node& node = nodes_[index];
  switch (node.kind) {
    case NodeKind::kConst:
      return node.value != 0;
    case NodeKind::kAnd:
      for (uint32_t i = node.a; i < node.a + node.b; ++i) {
        if (!Eval(children_[i], ctx, facts)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (uint32_t i = node.a; i < node.a + node.b; ++i) {
        if (Eval(children_[i], ctx, facts)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !Eval(node.a, ctx, facts);
    case NodeKind::kIntCompare: {
      const int64_t v = IntValue(node.field, ctx, facts);
      switch (node.op) {
        case CompareOp::kEq:
          return v == node.value;
        case CompareOp::kNe:
          return v != node.value;
        case CompareOp::kLt:
          return v < node.value;
        case CompareOp::kLe:
          return v <= node.value;
        case CompareOp::kGt:
          return v > node.value;
        case CompareOp::kGe:
          return v >= node.value;
      }
      return false;
    }
    case NodeKind::kIntMask: {
      const int64_t v = IntValue(node.field, ctx, facts);
      const bool in = v >= 0 && v < 64 && ((static_cast<uint64_t>(node.value) >> v) & 1u) != 0;
      return in != node.negate;
    }
    case NodeKind::kIntList: {
      const int64_t v = IntValue(node.field, ctx, facts);
      bool in = false;
      for (uint32_t i = node.a; i < node.a + node.b && !in; ++i) in = ints_[i] == v;
      return in != node.negate;
    }
    case NodeKind::kStrCompare: {
      const bool equal = StringValue(node, ctx) == strings_[node.a];
      return node.op == CompareOp::kEq ? equal : !equal;
    }
    case NodeKind::kStrList: {
      const absl::string_view v = StringValue(node, ctx);
      bool in = false;
      for (uint32_t i = node.a; i < node.a + node.b && !in; ++i) in = strings_[i] == v;
      return in != node.negate;
    }
    case NodeKind::kNeeds:
      return ((ctx.needs & static_cast<NeedSet>(node.value)) != 0) != node.negate;
  }
  return false;
}

// Builds one Condition from a syntax tree; remembers where the first problem is.
class ConditionCompiler::Builder {
 public:
  Builder(const ConditionCompiler& compiler, Condition* out) : compiler_(compiler), out_(out) {}

  size_t error_offset() const { return error_offset_; }

  absl::StatusOr<uint32_t> Build(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kOr:
      case Expr::Kind::kAnd: {
        std::vector<uint32_t> children;
        for (const Expr& child : expr.children) {
          absl::StatusOr<uint32_t> c = Build(child);
          if (!c.ok()) return c.status();
          children.push_back(*c);
        }
        Condition::Node node;
        node.kind =
            expr.kind == Expr::Kind::kOr ? Condition::NodeKind::kOr : Condition::NodeKind::kAnd;
        node.a = static_cast<uint32_t>(out_->children_.size());
        node.b = static_cast<uint32_t>(children.size());
        out_->children_.insert(out_->children_.end(), children.begin(), children.end());
        return Emit(node);
      }
      case Expr::Kind::kNot: {
        absl::StatusOr<uint32_t> c = Build(expr.children[0]);
        if (!c.ok()) return c.status();
        Condition::Node node;
        node.kind = Condition::NodeKind::kNot;
        node.a = *c;
        return Emit(node);
      }
      case Expr::Kind::kOperand:
        return Lone(expr.lhs);
      case Expr::Kind::kCompare:
        return Compare(expr);
      case Expr::Kind::kInList:
        return InList(expr);
      case Expr::Kind::kInWord:
        return InWord(expr);
    }
    return Fail(expr.offset, "unsupported expression");
  }

 private:
  struct FieldRef {
    Condition::Field field;
    ValueType type;
    std::string attribute;  // kAttribute: the name
  };

  struct FieldInfo {
    absl::string_view name;
    Condition::Field field;
    ValueType type;
  };

  static const std::vector<FieldInfo>& Fields() {
    using F = Condition::Field;
    static const auto* const kFields = new std::vector<FieldInfo>{
        {"channel", F::kChannel, ValueType::kChannel},
        {"topic", F::kTopic, ValueType::kTopic},
        {"topic.code", F::kTopic, ValueType::kTopic},
        {"topic.domain", F::kTopicDomain, ValueType::kDomain},
        {"topic.phase", F::kTopicPhase, ValueType::kPhase},
        {"topic.confidential", F::kTopicConfidential, ValueType::kBool},
        {"topic.has_digital_alternative", F::kTopicHasDigitalAlternative, ValueType::kBool},
        {"language", F::kLanguage, ValueType::kString},
        {"needs", F::kNeedsAny, ValueType::kNeedSet},
        {"needs.any", F::kNeedsAny, ValueType::kBool},
        {"needs.count", F::kNeedsCount, ValueType::kInt},
        {"digid", F::kDigid, ValueType::kDigid},
        {"party.known", F::kPartyKnown, ValueType::kBool},
        {"case.open", F::kCaseOpen, ValueType::kBool},
        {"contact_person.exists", F::kContactPersonExists, ValueType::kBool},
        {"wants_person", F::kWantsPerson, ValueType::kBool},
        {"priority", F::kPriority, ValueType::kInt},
        {"queue.expected_wait", F::kQueueExpectedWait, ValueType::kDuration},
        {"time", F::kTime, ValueType::kTime},
        {"day", F::kDay, ValueType::kDay},
        {"open", F::kOpen, ValueType::kBool},
    };
    return *kFields;
  }

  static std::vector<absl::string_view> FieldNames() {
    std::vector<absl::string_view> names;
    for (const FieldInfo& f : Fields()) names.push_back(f.name);
    names.push_back("attributes.NAME");
    return names;
  }

  absl::Status Fail(size_t offset, absl::string_view reason) {
    error_offset_ = offset;
    return absl::InvalidArgumentError(reason);
  }

  uint32_t Emit(const Condition::Node& node) {
    out_->nodes_.push_back(node);
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

  uint32_t String(absl::string_view s) {
    out_->strings_.emplace_back(s);
    return static_cast<uint32_t>(out_->strings_.size() - 1);
  }

  // The field named by `operand`, or an error naming what is wrong.
  absl::StatusOr<FieldRef> ResolveField(const Operand& operand, absl::string_view context) {
    if (operand.kind != Operand::Kind::kWord) {
      return Fail(operand.offset,
                  absl::StrCat("expected a field ", context, ", got ", DescribeOperand(operand),
                               " '", operand.text, "' (fields: channel, topic, priority, ...)"));
    }
    const absl::string_view word = operand.text;
    for (const FieldInfo& f : Fields()) {
      if (f.name == word) return FieldRef{f.field, f.type, ""};
    }
    if (absl::StartsWith(word, kAttributesPrefix)) {
      const absl::string_view name = word.substr(kAttributesPrefix.size());
      if (name.empty()) {
        return Fail(operand.offset, "attribute name missing after 'attributes.'");
      }
      const std::vector<std::string>& personal = compiler_.personal_attributes_;
      if (std::find(personal.begin(), personal.end(), name) != personal.end()) {
        return Fail(operand.offset,
                    absl::StrCat("attribute '", name,
                                 "' is personal: rules cannot use it (its value is stored "
                                 "encrypted and never reaches the routing rules)"));
      }
      return FieldRef{Condition::Field::kAttribute, ValueType::kString, std::string(name)};
    }
    if (word == "attributes") {
      return Fail(operand.offset, "write attributes.NAME, e.g. attributes.afspraakcode");
    }
    const std::vector<absl::string_view> names = FieldNames();
    std::string suggestion = base::DidYouMean(word, names);
    if (suggestion.empty()) suggestion = absl::StrCat("; fields are: ", absl::StrJoin(names, ", "));
    return Fail(operand.offset, absl::StrCat("unknown field '", word, "'", suggestion));
  }

  absl::StatusOr<int64_t> Named(const Operand& operand, absl::Span<const NamedValue> values,
                                absl::string_view what) {
    if (IsWordLike(operand)) {
      for (const NamedValue& v : values) {
        if (v.name == operand.text) return v.value;
      }
    }
    std::vector<absl::string_view> names;
    for (const NamedValue& v : values) names.push_back(v.name);
    if (!IsWordLike(operand)) {
      return Fail(operand.offset, absl::StrCat("expected ", what, ", got ",
                                               DescribeOperand(operand), " '", operand.text, "'"));
    }
    return Fail(operand.offset, absl::StrCat("unknown ", what, " '", operand.text, "'",
                                             base::DidYouMeanOrList(operand.text, names)));
  }

  // The integer key of `operand` for a field of `type` (not kString).
  absl::StatusOr<int64_t> Resolve(const FieldRef& field, const Operand& operand,
                                  absl::string_view field_name) {
    const auto mismatch = [&]() {
      return Fail(operand.offset,
                  absl::StrCat(field_name, " is compared with ", TypeName(field.type),
                               ", not with ", DescribeOperand(operand), " '", operand.text, "'"));
    };
    switch (field.type) {
      case ValueType::kBool:
        if (operand.kind == Operand::Kind::kWord && operand.text == "true") return 1;
        if (operand.kind == Operand::Kind::kWord && operand.text == "false") return 0;
        return mismatch();
      case ValueType::kChannel: {
        if (!IsWordLike(operand)) return mismatch();
        if (std::optional<Channel> c = ParseChannel(operand.text)) {
          return static_cast<int64_t>(*c);
        }
        std::vector<absl::string_view> names;
        for (Channel c : kAllChannels) names.push_back(ChannelName(c));
        return Fail(operand.offset, absl::StrCat("unknown channel '", operand.text, "'",
                                                 base::DidYouMeanOrList(operand.text, names)));
      }
      case ValueType::kTopic: {
        if (!IsWordLike(operand)) return mismatch();
        const TopicTable& topics = *compiler_.topics_;
        std::vector<absl::string_view> codes;
        for (size_t i = 0; i < topics.topic_count; ++i) {
          if (topics.topics[i].code == operand.text) return static_cast<int64_t>(i);
          codes.push_back(topics.topics[i].code);
        }
        return Fail(operand.offset, absl::StrCat("unknown topic '", operand.text, "'",
                                                 base::DidYouMean(operand.text, codes)));
      }
      case ValueType::kDomain: {
        if (!IsWordLike(operand)) return mismatch();
        if (auto it = compiler_.domain_ids_.find(operand.text); it != compiler_.domain_ids_.end()) {
          return it->second;
        }
        const std::vector<absl::string_view> names(compiler_.topics_->domains.begin(),
                                                   compiler_.topics_->domains.end());
        std::string suggestion = base::DidYouMean(operand.text, names);
        if (suggestion.empty()) {
          suggestion = names.empty() ? "; the catalogue has no topics"
                                     : absl::StrCat("; domains in the catalogue: ",
                                                    absl::StrJoin(names, ", "));
        }
        return Fail(operand.offset,
                    absl::StrCat("unknown domain '", operand.text, "'", suggestion));
      }
      case ValueType::kPhase:
        if (!IsWordLike(operand)) return mismatch();
        return Named(operand, kPhases, "phase");
      case ValueType::kDigid:
        if (!IsWordLike(operand)) return mismatch();
        return Named(operand, kDigidLevels, "DigiD level");
      case ValueType::kDay:
        if (!IsWordLike(operand)) return mismatch();
        return Named(operand, kDays, "day");
      case ValueType::kInt:
        if (operand.kind != Operand::Kind::kInteger) return mismatch();
        return operand.integer;
      case ValueType::kDuration:
        if (operand.kind != Operand::Kind::kDuration) return mismatch();
        return absl::ToInt64Milliseconds(operand.duration);
      case ValueType::kTime:
        if (operand.kind != Operand::Kind::kTime) return mismatch();
        return operand.seconds_of_day;
      case ValueType::kString:
      case ValueType::kNeedSet:
        break;
    }
    return mismatch();
  }

  absl::StatusOr<std::string> ResolveString(const Operand& operand, absl::string_view field_name) {
    if (operand.kind == Operand::Kind::kWord || operand.kind == Operand::Kind::kString ||
        operand.kind == Operand::Kind::kInteger) {
      return operand.text;
    }
    return Fail(operand.offset, absl::StrCat(field_name, " is compared with a string, not with ",
                                             DescribeOperand(operand), " '", operand.text, "'"));
  }

  absl::Status NotASet(const Operand& lhs) {
    return Fail(lhs.offset,
                "'needs' is a set: write e.g. 'language_barrier in needs', or use needs.any "
                "or needs.count");
  }

  absl::StatusOr<uint32_t> Lone(const Operand& operand) {
    if (operand.kind == Operand::Kind::kWord &&
        (operand.text == "true" || operand.text == "false")) {
      Condition::Node node;
      node.kind = Condition::NodeKind::kConst;
      node.value = operand.text == "true";
      return Emit(node);
    }
    absl::StatusOr<FieldRef> field = ResolveField(operand, "or a comparison");
    if (!field.ok()) return field.status();
    if (field->type == ValueType::kNeedSet) return NotASet(operand);
    if (field->type != ValueType::kBool) {
      return Fail(operand.offset,
                  absl::StrCat("'", operand.text, "' is ", TypeName(field->type),
                               ", not a condition; compare it, e.g. '", operand.text,
                               field->type == ValueType::kInt ? " >= 50'" : " == ...'"));
    }
    Condition::Node node;
    node.kind = Condition::NodeKind::kIntCompare;
    node.field = field->field;
    node.op = CompareOp::kEq;
    node.value = 1;
    return Emit(node);
  }

  absl::StatusOr<uint32_t> Compare(const Expr& expr) {
    absl::StatusOr<FieldRef> field =
        ResolveField(expr.lhs, absl::StrCat("on the left of '", CompareOpText(expr.op), "'"));
    if (!field.ok()) return field.status();
    if (field->type == ValueType::kNeedSet) return NotASet(expr.lhs);
    const bool ordering = expr.op != CompareOp::kEq && expr.op != CompareOp::kNe;
    if (ordering && !IsOrdered(field->type)) {
      return Fail(expr.op_offset,
                  absl::StrCat("operator '", CompareOpText(expr.op), "' does not apply to ",
                               expr.lhs.text, " (use ==, != or in)"));
    }
    Condition::Node node;
    node.field = field->field;
    node.op = expr.op;
    if (field->type == ValueType::kString) {
      absl::StatusOr<std::string> value = ResolveString(expr.rhs, expr.lhs.text);
      if (!value.ok()) return value.status();
      node.kind = Condition::NodeKind::kStrCompare;
      node.a = String(*value);
      if (field->field == Condition::Field::kAttribute) node.name = String(field->attribute);
      return Emit(node);
    }
    absl::StatusOr<int64_t> value = Resolve(*field, expr.rhs, expr.lhs.text);
    if (!value.ok()) return value.status();
    node.kind = Condition::NodeKind::kIntCompare;
    node.value = *value;
    return Emit(node);
  }

  absl::StatusOr<uint32_t> InList(const Expr& expr) {
    absl::StatusOr<FieldRef> field = ResolveField(expr.lhs, "on the left of 'in'");
    if (!field.ok()) return field.status();
    if (field->type == ValueType::kNeedSet) {
      return Fail(expr.lhs.offset,
                  "'needs' is a set: test one need at a time, e.g. 'language_barrier in needs "
                  "or impairment in needs'");
    }
    if (field->type == ValueType::kBool) {
      return Fail(expr.op_offset, absl::StrCat("'in' does not apply to ", expr.lhs.text,
                                               ", which is true or false"));
    }
    Condition::Node node;
    node.field = field->field;
    node.negate = expr.negated;
    if (field->type == ValueType::kString) {
      std::vector<std::string> values;
      for (const Operand& item : expr.list) {
        absl::StatusOr<std::string> value = ResolveString(item, expr.lhs.text);
        if (!value.ok()) return value.status();
        values.push_back(*std::move(value));
      }
      node.kind = Condition::NodeKind::kStrList;
      if (field->field == Condition::Field::kAttribute) node.name = String(field->attribute);
      node.a = static_cast<uint32_t>(out_->strings_.size());
      node.b = static_cast<uint32_t>(values.size());
      for (std::string& v : values) out_->strings_.push_back(std::move(v));
      return Emit(node);
    }
    std::vector<int64_t> values;
    bool small = true;
    for (const Operand& item : expr.list) {
      absl::StatusOr<int64_t> value = Resolve(*field, item, expr.lhs.text);
      if (!value.ok()) return value.status();
      small = small && *value >= 0 && *value < 64;
      values.push_back(*value);
    }
    if (small) {
      node.kind = Condition::NodeKind::kIntMask;
      uint64_t mask = 0;
      for (int64_t v : values) mask |= uint64_t{1} << v;
      node.value = static_cast<int64_t>(mask);
      return Emit(node);
    }
    node.kind = Condition::NodeKind::kIntList;
    node.a = static_cast<uint32_t>(out_->ints_.size());
    node.b = static_cast<uint32_t>(values.size());
    out_->ints_.insert(out_->ints_.end(), values.begin(), values.end());
    return Emit(node);
  }

  absl::StatusOr<uint32_t> InWord(const Expr& expr) {
    if (expr.rhs.text != "needs") {
      absl::StatusOr<FieldRef> field = ResolveField(expr.rhs, "after 'in'");
      if (!field.ok()) return field.status();
      return Fail(
          expr.rhs.offset,
          absl::StrCat("'in' needs a list such as [a, b] or the set 'needs'; ", expr.rhs.text,
                       " is not a set (write e.g. ", expr.rhs.text, " == ", expr.lhs.text, ")"));
    }
    absl::StatusOr<int64_t> need = Named(expr.lhs, kNeeds, "need");
    if (!need.ok()) return need.status();
    Condition::Node node;
    node.kind = Condition::NodeKind::kNeeds;
    node.negate = expr.negated;
    node.value = NeedBit(static_cast<Need>(*need));
    return Emit(node);
  }

  const ConditionCompiler& compiler_;
  Condition* out_;
  size_t error_offset_ = 0;
};

ConditionCompiler::ConditionCompiler(const TenantConfig& config)
    : topics_(std::make_shared<TopicTable>()),
      topics_const_(topics_),
      personal_attributes_(config.personal_attributes) {
  topics_->topics = config.topics.data();
  topics_->topic_count = config.topics.size();
  topics_->domain_of.reserve(config.topics.size());
  for (const TopicConfig& topic : config.topics) {
    auto [it, inserted] =
        domain_ids_.emplace(topic.domain, static_cast<int32_t>(topics_->domains.size()));
    if (inserted) topics_->domains.push_back(topic.domain);
    topics_->domain_of.push_back(it->second);
  }
}

absl::StatusOr<Condition> ConditionCompiler::Compile(absl::string_view text,
                                                     size_t* error_offset) const {
  size_t offset = 0;
  absl::StatusOr<Expr> expr = ParseExpression(text, &offset);
  if (!expr.ok()) {
    if (error_offset != nullptr) *error_offset = offset;
    return expr.status();
  }
  Condition condition;
  condition.nodes_.clear();
  condition.topics_ = topics_;
  Builder builder(*this, &condition);
  absl::StatusOr<uint32_t> root = builder.Build(*expr);
  if (!root.ok()) {
    if (error_offset != nullptr) *error_offset = builder.error_offset();
    return root.status();
  }
  condition.root_ = *root;
  condition.nodes_.shrink_to_fit();
  return condition;
}

uint32_t Condition::ChannelsOf(uint32_t index) const {
  constexpr uint32_t kAll = (1u << kChannelCount) - 1;
  const Node& node = nodes_[index];
  switch (node.kind) {
    case NodeKind::kConst:
      return node.value != 0 ? kAll : 0;
    case NodeKind::kAnd: {
      uint32_t channels = kAll;
      for (uint32_t i = node.a; i < node.a + node.b; ++i) channels &= ChannelsOf(children_[i]);
      return channels;
    }
    case NodeKind::kOr: {
      uint32_t channels = 0;
      for (uint32_t i = node.a; i < node.a + node.b; ++i) channels |= ChannelsOf(children_[i]);
      return channels;
    }
    case NodeKind::kIntCompare:
      if (node.field != Field::kChannel || node.value < 0 ||
          node.value >= static_cast<int64_t>(kChannelCount)) {
        return kAll;
      }
      if (node.op == CompareOp::kEq) return 1u << node.value;
      if (node.op == CompareOp::kNe) return kAll & ~(1u << node.value);
      return kAll;
    case NodeKind::kIntMask:
      if (node.field != Field::kChannel) return kAll;
      return node.negate ? kAll & ~static_cast<uint32_t>(node.value)
                         : kAll & static_cast<uint32_t>(node.value);
    default:
      return kAll;
  }
}

}  // namespace wissel::core::rules
