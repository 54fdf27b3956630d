// Shortcoming: Electron is an optional dependency that is not installed here, so its types
// are missing; this declares just the surface main/electron and preload/ use — better: the
// real `electron` types once the package installs (delete this file then).
declare module 'electron' {
  /** An IPC event as a handler receives it. */
  interface IpcMainInvokeEvent {
    senderFrame: { url: string } | null;
  }
  interface IpcRendererEvent {
    sender: unknown;
  }
  interface WebPreferences {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    webSecurity?: boolean;
  }
  interface WebContents {
    on(
      event: 'will-navigate',
      listener: (event: { preventDefault(): void }, url: string) => void,
    ): void;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
  }
  class BrowserWindow {
    constructor(options: {
      width?: number;
      height?: number;
      minWidth?: number;
      minHeight?: number;
      title?: string;
      backgroundColor?: string;
      show?: boolean;
      webPreferences?: WebPreferences;
    });
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    loadFile(path: string, options?: { query?: Record<string, string> }): Promise<void>;
    once(event: 'ready-to-show', listener: () => void): void;
    on(event: 'closed', listener: () => void): void;
    show(): void;
    static getAllWindows(): BrowserWindow[];
  }
  interface OnHeadersReceivedDetails {
    responseHeaders?: Record<string, string[]>;
  }
  const app: {
    whenReady(): Promise<void>;
    on(event: 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): void;
    quit(): void;
  };
  const session: {
    defaultSession: {
      webRequest: {
        onHeadersReceived(
          listener: (
            details: OnHeadersReceivedDetails,
            callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
          ) => void,
        ): void;
      };
      setPermissionRequestHandler(
        handler: (
          webContents: unknown,
          permission: string,
          callback: (ok: boolean) => void,
        ) => void,
      ): void;
    };
  };
  const ipcMain: {
    handle(
      channel: string,
      listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>,
    ): void;
    removeHandler(channel: string): void;
  };
  const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
    removeListener(
      channel: string,
      listener: (event: IpcRendererEvent, ...args: unknown[]) => void,
    ): void;
  };
  const contextBridge: {
    exposeInMainWorld(key: string, api: unknown): void;
  };
}
