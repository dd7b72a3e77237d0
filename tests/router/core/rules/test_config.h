// A small tenant config shared by the rules tests: a few topics across domains and phases, queues
// with skills, and a roster.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "router/core/rule_spec.h"
#include "router/core/tenant_config.h"

namespace wissel::core::rules::testing {

inline TenantConfig TestConfig() {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.queues = {
      {.name = "kcc-algemeen", .skill = "kcc"},
      {.name = "burgerzaken", .skill = "burgerzaken"},
      {.name = "wmo", .skill = "wmo"},
      {.name = "schuldhulp", .skill = "schuldhulp", .authorised_for_confidential = true},
      {.name = "taalteam", .skill = "taal"},
      {.name = "nacht", .skill = "nacht"},  // nobody in the roster serves it
  };
  TopicConfig paspoort{.code = "paspoort",
                       .name = "Paspoort",
                       .domain = "burgerzaken",
                       .queue = "burgerzaken",
                       .default_priority = 50};
  paspoort.digital_alternative =
      DigitalAlternative{"https://www.wisseloord.nl/paspoort-aanvragen", "Vraag online aan"};
  TopicConfig id_kaart{.code = "id-kaart",
                       .name = "ID-kaart",
                       .domain = "burgerzaken",
                       .queue = "burgerzaken",
                       .default_priority = 50};
  TopicConfig wmo{.code = "wmo-hulpmiddelen",
                  .name = "WMO hulpmiddelen",
                  .domain = "sociaal_domein",
                  .queue = "wmo",
                  .default_priority = 60,
                  .phase = ServicePhase::kMaatwerk};
  TopicConfig mantelzorg{.code = "mantelzorg",
                         .name = "Mantelzorg",
                         .domain = "sociaal_domein",
                         .queue = "wmo",
                         .phase = ServicePhase::kPreventie};
  TopicConfig schuldhulp{.code = "schuldhulp",
                         .name = "Schuldhulp",
                         .domain = "sociaal_domein",
                         .queue = "schuldhulp",
                         .default_priority = 70,
                         .phase = ServicePhase::kEigenKracht,
                         .confidential = true};
  TopicConfig vraag{.code = "algemene-vraag",
                    .name = "Algemene vraag",
                    .domain = "algemeen",
                    .queue = "kcc-algemeen"};
  config.topics = {paspoort, id_kaart, wmo, mantelzorg, schuldhulp, vraag};
  config.handlers = {
      {.id = "mw-1",
       .name = "Sanne",
       .skills = {{"kcc", 3}, {"taal", 4}},
       .teams = {"kcc-algemeen"}},
      {.id = "mw-2", .name = "Daan", .skills = {{"wmo", 4}}, .teams = {"wmo"}, .deputy = "mw-3"},
      {.id = "mw-3", .name = "Esther", .skills = {{"wmo", 2}, {"schuldhulp", 3}}, .teams = {"wmo"}},
      {.id = "mw-4", .name = "Lotte", .skills = {{"burgerzaken", 3}}, .teams = {"burgerzaken"}},
      {.id = "mw-9", .name = "Oud", .skills = {{"archief", 5}}, .active = false},
  };
  return config;
}

// A rule without source positions.
inline RuleSpec Rule(std::string name, std::string when, std::vector<ActionSpec> then,
                     bool continue_matching = false) {
  RuleSpec rule;
  rule.name = std::move(name);
  rule.when = std::move(when);
  rule.then = std::move(then);
  rule.continue_matching = continue_matching;
  return rule;
}

inline ActionSpec Act(ActionSpec::Kind kind, std::string target = "", int value = 0) {
  ActionSpec action;
  action.kind = kind;
  action.target = std::move(target);
  action.value = value;
  return action;
}

}  // namespace wissel::core::rules::testing
