/** The onednn compute backend: tfjs kernels on oneDNN through s3gan's native addon. */
export { NATIVE_KERNELS, ONEDNN_BACKEND_NAME, OnednnBackend, registerOnednnBackend, setOnednnThreads } from './backend.js';
export { ADDON_PATH, BUILD_COMMANDS, BUILD_HINT, loadAddon, type OnednnAddon } from './addon.js';
