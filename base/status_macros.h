// Early-return helpers for absl::Status / absl::StatusOr.
//
// Debian's Abseil (20220623) lacks ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN; these have the
// same shape so that a later Abseil is a rename.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define WISSEL_STATUS_CONCAT_INNER_(a, b) a##b
#define WISSEL_STATUS_CONCAT_(a, b) WISSEL_STATUS_CONCAT_INNER_(a, b)

#define WISSEL_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status wissel_status_ = (expr);          \
    if (!wissel_status_.ok()) return wissel_status_; \
  } while (0)

#define WISSEL_ASSIGN_OR_RETURN(lhs, expr) \
  WISSEL_ASSIGN_OR_RETURN_IMPL_(WISSEL_STATUS_CONCAT_(wissel_statusor_, __LINE__), lhs, expr)

// `lhs` may be a declaration ("auto x") and `statusor` is a name, so neither can be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WISSEL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)
