// Public API of @hub/controller. Hand-written: every export is deliberate.
export {};
