// The edge's transaction generator: from the edge's PRNG stream it picks each transaction's
// template (whose compute gas the schedule needs first), then leases an account and nonce,
// builds the call and signs it. One generator serves a live run and the offline
// `gashammer plan --edge I --txs N`, so both produce the same transactions from the same seed.

import type { Address } from 'viem';
import type { EdgePlan, RunPlan, TemplateMixEntry } from '../scenario/compile.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { TestContracts } from '../devnet/contracts.js';
import type { AccountPool, Lease } from '../workload/account-pool.js';
import { createPrng, type Prng } from '../workload/prng.js';
import { createTemplatePicker, type TemplatePicker } from '../workload/template-picker.js';
import { isTemplateName, type TemplateName } from '../workload/template-catalog.js';
import { buildTxIntent, type TemplateCalibration, type TxIntent } from '../workload/templates.js';
import { signEip1559, type SignedTx } from './signer.js';

/** Fee caps the edge signs with; fixed for a run so transactions are reproducible. */
export interface FeePolicy {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** A transaction picked but not yet built: what the schedule needs to place it. */
export interface PlannedTx {
  readonly template: TemplateName;
  readonly computeGas: bigint;
  readonly mixEntry: TemplateMixEntry;
}

export interface GeneratedTx {
  readonly planned: PlannedTx;
  readonly lease: Lease;
  readonly intent: TxIntent;
  readonly signed: SignedTx;
}

export interface TxGeneratorOptions {
  readonly plan: RunPlan;
  readonly edgeIndex: number;
  readonly chainId: number;
  readonly contracts: TestContracts;
  readonly pool: AccountPool;
  readonly calibration: ReadonlyMap<TemplateName, TemplateCalibration>;
  readonly fees: FeePolicy;
}

export class TxGenerator {
  readonly edge: EdgePlan;
  private readonly prng: Prng;
  private readonly picker: TemplatePicker<TemplateMixEntry>;
  /** Recipient of each account: the next account of the edge, so value stays in the edge's set. */
  private readonly recipientOf = new Map<Address, Address>();

  constructor(private readonly options: TxGeneratorOptions) {
    const edge = options.plan.edges[options.edgeIndex];
    if (!edge) throw new GasHammerError(ErrorCodes.ScenarioCompile, `the plan has no edge ${options.edgeIndex} (it has ${options.plan.edges.length})`);
    this.edge = edge;
    this.prng = createPrng(edge.streamSeed);
    this.picker = createTemplatePicker(options.plan.templateMix);
    const accounts = options.pool.accounts;
    accounts.forEach((a, i) => this.recipientOf.set(a.address, accounts[(i + 1) % accounts.length]!.address));
    for (const t of options.plan.templateMix) {
      if (t.probability > 0 && (!isTemplateName(t.name) || !options.calibration.has(t.name))) {
        throw new GasHammerError(ErrorCodes.Internal, `template ${t.name} has no calibration`);
      }
    }
  }

  /** Draws the next transaction's template from the stream. */
  plan(): PlannedTx {
    const mixEntry = this.picker.pick(this.prng);
    const template = mixEntry.name as TemplateName;
    return { template, computeGas: this.options.calibration.get(template)!.computeGas, mixEntry };
  }

  /** Leases an account and nonce, builds and signs; undefined when every account is busy. */
  build(planned: PlannedTx): GeneratedTx | undefined {
    const lease = this.options.pool.lease();
    if (!lease) return undefined;
    const sender = lease.account.address;
    const intent = buildTxIntent(planned.template, {
      prng: this.prng,
      sender,
      recipient: this.recipientOf.get(sender)!,
      contracts: this.options.contracts,
      params: planned.mixEntry.params,
      calibration: this.options.calibration.get(planned.template)!,
    });
    const signed = signEip1559(
      {
        chainId: this.options.chainId,
        nonce: lease.nonce,
        maxFeePerGas: this.options.fees.maxFeePerGas,
        maxPriorityFeePerGas: this.options.fees.maxPriorityFeePerGas,
        gas: intent.gasLimit,
        to: intent.to,
        value: intent.value,
        data: intent.data,
      },
      lease.account.privateKey,
    );
    return { planned, lease, intent, signed };
  }
}

