// Keyboard navigation for the argument tree (WAI-ARIA tree pattern); filled in by the tree issue.
