import type { SocketState } from '../socket';
import { h } from './dom';

const CONNECTION_TEXT: Record<SocketState, string> = {
  offline: 'Ready',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
};

/** The streaming connection's state in the top bar (`data-state` styles it). */
export class ConnectionStatus {
  readonly element = h('span', { class: 'connection', 'data-state': 'offline' }, CONNECTION_TEXT.offline);

  show(state: SocketState): void {
    this.element.textContent = CONNECTION_TEXT[state];
    this.element.dataset.state = state;
  }
}
