import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { StationProvider } from './api/context';
import { detectTransport } from './api/transport';
import { App } from './App';

const root = createRoot(document.getElementById('root')!);
const transport = detectTransport();

root.render(
  <StrictMode>
    {'error' in transport ? (
      <main className="app">
        <div className="failure" role="alert">
          <p className="failure-title">Cannot reach the station</p>
          <p className="failure-message">{transport.error}</p>
        </div>
      </main>
    ) : (
      <StationProvider api={transport.api}>
        <App />
      </StationProvider>
    )}
  </StrictMode>,
);
