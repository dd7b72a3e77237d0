// NodeRecycler: keeps the nodes of elements erased from node-based sets (std::set, or RankedSet,
// which has the same node handles) and reuses them for later inserts into sets of the same
// type, so that sets whose sizes go up and down (the waiting contacts, the free-handler index,
// the deadlines) allocate nothing in steady state. A recycled node's key is assigned, not
// constructed: its strings keep their capacity.
//
// Memory: spare nodes are kept until the recycler is destroyed; there are never more than the
// sets once held at the same time. Not thread-safe (one Router owns it).
#pragma once

#include <utility>
#include <vector>

namespace wissel::core {

template <typename Set>
class NodeRecycler {
 public:
  using Key = typename Set::value_type;

  // Inserts a copy of `key` into `set` (no-op when an equal key is there). Returns the
  // position of the element equal to `key`.
  typename Set::iterator Insert(Set& set, const Key& key) {
    if (spare_.empty()) return set.insert(key).first;
    typename Set::node_type node = std::move(spare_.back());
    spare_.pop_back();
    node.value() = key;
    auto result = set.insert(std::move(node));
    if (!result.inserted) spare_.push_back(std::move(result.node));
    return result.position;
  }

  // Erases `key` from `set` if it is there, keeping the node.
  void Erase(Set& set, const Key& key) {
    auto it = set.find(key);
    if (it != set.end()) spare_.push_back(set.extract(it));
  }

  // Erases the element at `it` (dereferenceable), keeping the node.
  void Erase(Set& set, typename Set::const_iterator it) { spare_.push_back(set.extract(it)); }

 private:
  std::vector<typename Set::node_type> spare_;
};

}  // namespace wissel::core
