// ContactRecycler: keeps Contact objects of contacts that ended and hands them out again, reset
// to defaults but with the capacity of their strings and vectors, so that routing a contact
// allocates no Contact in steady state. Bounded: at most kMaxSpare are kept.
//
// Not thread-safe (one Router owns it).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "router/core/contact.h"

namespace wissel::core {

class ContactRecycler {
 public:
  static constexpr size_t kMaxSpare = 1024;

  // A default Contact: a recycled one, or a new one when none is spare.
  std::unique_ptr<Contact> New() {
    if (spare_.empty()) return std::make_unique<Contact>();
    std::unique_ptr<Contact> c = std::move(spare_.back());
    spare_.pop_back();
    return c;
  }
  // Takes back a Contact no longer in use (dropped when kMaxSpare are kept already).
  void Recycle(std::unique_ptr<Contact> c);
  size_t spare() const { return spare_.size(); }

 private:
  std::vector<std::unique_ptr<Contact>> spare_;
};

}  // namespace wissel::core
