// Placeholder so the target builds; replaced as the module fills in.
enum _MultilevelModelsModule {}
