pub fn manifests() {}
