import { useEffect, useState } from 'react';

import { useStation } from './api/context';
import { DevicePage } from './screens/DevicePage';
import { DevicesScreen } from './screens/DevicesScreen';
import { FirmwareScreen } from './screens/FirmwareScreen';
import { FleetScreen } from './screens/FleetScreen';
import { SettingsScreen } from './screens/SettingsScreen';

/** The screens, by their hash route (`#/firmware`); hash routes never leave the page. */
type Route =
  | { screen: 'devices' }
  | { screen: 'firmware' }
  | { screen: 'fleet' }
  | { screen: 'settings' }
  | { screen: 'device'; id: string };

const TABS: { screen: Route['screen']; label: string }[] = [
  { screen: 'devices', label: 'Devices' },
  { screen: 'firmware', label: 'Firmware' },
  { screen: 'fleet', label: 'Fleet' },
  { screen: 'settings', label: 'Settings' },
];

function parseRoute(hash: string): Route {
  const [, screen, id] = hash.replace(/^#/, '').split('/');
  if (screen === 'device' && id) return { screen: 'device', id: decodeURIComponent(id) };
  if (screen === 'firmware' || screen === 'fleet' || screen === 'settings') return { screen };
  return { screen: 'devices' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The window: a tab bar and the current screen. */
export function App() {
  const route = useRoute();
  const { devices } = useStation();
  const active = route.screen === 'device' ? 'fleet' : route.screen;

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">Bota Station</p>
        <nav aria-label="Screens">
          {TABS.map((tab) => (
            <a
              key={tab.screen}
              href={`#/${tab.screen}`}
              className={`tab${tab.screen === active ? ' tab-active' : ''}`}
              aria-current={tab.screen === active ? 'page' : undefined}
            >
              {tab.label}
              {tab.screen === 'devices' && devices.length > 0 ? ` (${devices.length})` : ''}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </div>
  );
}

function Screen(props: { route: Route }) {
  switch (props.route.screen) {
    case 'devices':
      return <DevicesScreen />;
    case 'firmware':
      return <FirmwareScreen />;
    case 'fleet':
      return <FleetScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'device':
      return <DevicePage key={props.route.id} id={props.route.id} />;
  }
}
