// The embedded devnet: anvil from npm, the test contracts deployed on it, and a sequencer-feed
// relay publishing its blocks in Nitro's wire format. Works on any machine, no Docker. It is
// the default target of `gashammer run` and what `gashammer devnet` starts for people.

import type { Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { DEVNET_CHAIN_ID, DEVNET_FAUCET_ADDRESS, DEVNET_FAUCET_KEY, startAnvil, type AnvilProcess } from './anvil.js';
import { BlockSource } from './block-source.js';
import { createDevnetClients, deployTestContracts, type TestContracts } from './contracts.js';
import { FeedRelay } from './feed-relay.js';

/** What every devnet offers GasHammer, whichever kind runs it. */
export interface Devnet {
  readonly kind: 'embedded' | 'nitro-container';
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly feedUrl: string;
  /** The prefunded account that funds GasHammer's accounts (its key is public: devnets only). */
  readonly faucet: { readonly address: Address; readonly privateKey: `0x${string}` };
  readonly contracts: TestContracts;
  stop(): Promise<void>;
}

export interface EmbeddedDevnetOptions {
  /** RPC (HTTP and WebSocket) port; 0 picks a free one. */
  readonly port?: number;
  /** Feed relay port; 0 picks a free one. */
  readonly feedPort?: number;
  readonly blockTimeSecs?: number;
  /** Called when the relay cannot follow the chain (it keeps trying on the next head). */
  readonly onFeedError?: (error: Error) => void;
}

export interface EmbeddedDevnet extends Devnet {
  readonly kind: 'embedded';
  readonly anvil: AnvilProcess;
  readonly relay: FeedRelay;
}

export async function startEmbeddedDevnet(options: EmbeddedDevnetOptions = {}): Promise<EmbeddedDevnet> {
  const anvil = await startAnvil({ port: options.port ?? 0, ...(options.blockTimeSecs === undefined ? {} : { blockTimeSecs: options.blockTimeSecs }) });
  let relay: FeedRelay | undefined;
  let source: BlockSource | undefined;
  try {
    relay = await FeedRelay.start({ chainId: anvil.chainId, port: options.feedPort ?? 0 }).catch((cause: unknown) => {
      throw new GasHammerError(ErrorCodes.DevnetStart, `the feed relay could not listen on port ${options.feedPort ?? 0}`, { cause, hint: 'choose another --feed-port, or 0 for a free one' });
    });
    const feed = relay;
    // From block 1, so the relay's backlog holds the whole chain (block 0 is genesis, no txs).
    source = new BlockSource({
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      fromBlock: 1,
      onBlock: (block) => feed.publish(block),
      ...(options.onFeedError ? { onError: options.onFeedError } : {}),
    });
    await source.start();

    const clients = createDevnetClients({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID });
    const contracts = await deployTestContracts(clients, privateKeyToAccount(DEVNET_FAUCET_KEY));

    const follower = source;
    return {
      kind: 'embedded',
      chainId: anvil.chainId,
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      feedUrl: feed.url,
      faucet: { address: DEVNET_FAUCET_ADDRESS, privateKey: DEVNET_FAUCET_KEY },
      contracts,
      anvil,
      relay: feed,
      stop: async () => {
        follower.stop();
        await feed.stop();
        await anvil.stop();
      },
    };
  } catch (e) {
    source?.stop();
    await relay?.stop();
    await anvil.stop();
    throw e;
  }
}
