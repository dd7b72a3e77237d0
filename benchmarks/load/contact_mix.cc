#include "benchmarks/load/contact_mix.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wissel::load {
namespace {

std::discrete_distribution<int> Picker(const std::vector<Weighted>& mix) {
  std::vector<double> w;
  for (const Weighted& item : mix) w.push_back(item.weight);
  return std::discrete_distribution<int>(w.begin(), w.end());
}

absl::StatusOr<v1::Channel> ChannelByName(absl::string_view name) {
  if (name == "phone") return v1::CHANNEL_PHONE;
  if (name == "chat") return v1::CHANNEL_CHAT;
  if (name == "web_form") return v1::CHANNEL_WEB_FORM;
  if (name == "balie") return v1::CHANNEL_BALIE;
  if (name == "email") return v1::CHANNEL_EMAIL;
  return absl::InvalidArgumentError(absl::StrCat("channel_mix: unknown channel '", name, "'"));
}

}  // namespace

std::vector<Weighted> DefaultTopicMix() {
  // Rough proportions of a KCC's traffic: general questions, moving house, travel documents,
  // taxes and waste dominate; the social domain is smaller but heavier per contact.
  return {{"algemene-vraag", 15},
          {"verhuizing", 8},
          {"paspoort", 6},
          {"id-kaart", 4},
          {"rijbewijs", 4},
          {"uittreksel-brp", 3},
          {"geboorte-aangifte", 2},
          {"huwelijk", 1},
          {"ozb-aanslag", 8},
          {"kwijtschelding", 3},
          {"bezwaar-woz", 3},
          {"grofvuil", 8},
          {"afvalpas", 4},
          {"kapotte-lantaarnpaal", 3},
          {"melding-openbare-ruimte", 6},
          {"parkeervergunning", 4},
          {"omgevingsvergunning", 2},
          {"wmo-hulpmiddelen", 3},
          {"wmo-huishoudelijke-hulp", 3},
          {"mantelzorg", 1},
          {"jeugdhulp", 2},
          {"huiselijk-geweld-melding", 0.2},
          {"leerlingenvervoer", 1},
          {"bijstand", 3},
          {"re-integratie", 1},
          {"schuldhulp", 2}};
}

std::vector<Weighted> DefaultChannelMix() {
  return {{"phone", 40}, {"chat", 25}, {"web_form", 20}, {"balie", 10}, {"email", 5}};
}

std::vector<TeamSkill> DefaultTeams() {
  return {{"kcc-algemeen", "kcc"},
          {"burgerzaken", "burgerzaken"},
          {"balie-burgerzaken", "balie-burgerzaken"},
          {"belastingen", "belastingen"},
          {"openbare-ruimte", "openbare-ruimte"},
          {"afval", "afval"},
          {"vergunningen", "vergunningen"},
          {"wmo", "wmo"},
          {"jeugd", "jeugd"},
          {"werk-inkomen", "werk-inkomen"},
          {"schuldhulp", "schuldhulp"},
          {"leerlingenvervoer", "leerlingenvervoer"}};
}

absl::StatusOr<std::vector<Weighted>> ParseWeighted(absl::string_view text) {
  std::vector<Weighted> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    Weighted w{std::string(parts.first), 1};
    if (!parts.second.empty() && (!absl::SimpleAtod(parts.second, &w.weight) || w.weight <= 0)) {
      return absl::InvalidArgumentError(absl::StrCat("bad weight in '", item, "'"));
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<TeamSkill> ParseTeams(absl::string_view text) {
  std::vector<TeamSkill> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    out.push_back(
        {std::string(parts.first), std::string(parts.second.empty() ? parts.first : parts.second)});
  }
  return out;
}

absl::StatusOr<std::unique_ptr<ContactMix>> ContactMix::Create(const LoadConfig& config) {
  if (config.topics.empty()) return absl::InvalidArgumentError("topics: empty");
  if (config.channel_mix.empty()) return absl::InvalidArgumentError("channel_mix: empty");
  std::vector<v1::Channel> channels;
  for (const Weighted& w : config.channel_mix) {
    absl::StatusOr<v1::Channel> c = ChannelByName(w.name);
    if (!c.ok()) return c.status();
    channels.push_back(*c);
  }
  for (const auto* mix : {&config.topics, &config.channel_mix}) {
    for (const Weighted& w : *mix) {
      if (w.weight <= 0) return absl::InvalidArgumentError(absl::StrCat("weight of ", w.name));
    }
  }
  return std::unique_ptr<ContactMix>(new ContactMix(config, std::move(channels)));
}

ContactMix::ContactMix(const LoadConfig& config, std::vector<v1::Channel> channels)
    : config_(&config),
      channels_(std::move(channels)),
      rng_(config.seed),
      topic_pick_(Picker(config.topics)),
      channel_pick_(Picker(config.channel_mix)) {}

std::string ContactMix::RandomBsn() {
  // 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11.
  while (true) {
    int digits[9];
    int sum = 0;
    for (int i = 0; i < 8; ++i) {
      digits[i] = static_cast<int>(rng_() % 10);
      sum += (9 - i) * digits[i];
    }
    digits[8] = sum % 11;
    if (digits[8] == 10 || sum == 0) continue;
    std::string bsn;
    for (int d : digits) bsn.push_back(static_cast<char>('0' + d));
    return bsn;
  }
}

void ContactMix::Fill(int64_t sequence, int64_t sent_ns, v1::Contact* contact) {
  contact->set_tenant(config_->tenant);
  contact->set_idempotency_key(absl::StrCat(config_->run_id, "-", sequence));
  (*contact->mutable_attributes())[kSentAttribute] = absl::StrCat(sent_ns);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  absl::MutexLock lock(&mu_);
  contact->set_topic(config_->topics[topic_pick_(rng_)].name);
  contact->set_channel(channels_[channel_pick_(rng_)]);
  if (unit(rng_) < config_->party_share) {
    contact->mutable_party()->set_bsn(RandomBsn());
    contact->mutable_party()->set_digid_level(v1::DIGID_LEVEL_MIDDEN);
  }
  if (unit(rng_) < config_->needs_share) {
    contact->add_needs(static_cast<v1::Need>(1 + rng_() % 4));
  }
  contact->set_wants_person(unit(rng_) < config_->wants_person_share);
  contact->set_language(unit(rng_) < config_->other_language_share ? "en" : "nl");
}

}  // namespace wissel::load
