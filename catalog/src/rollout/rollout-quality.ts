import type pg from 'pg';

/**
 * The quality of a candidate against the champion over one rollout step (docs/operator.md#rollout-analysis),
 * from the inference log and the labels, over exactly the step's window rather than the whole
 * hours live quality reads. Shadow: the candidate's shadow predictions beside the answers they
 * mirror, the same products, so the label of the answer judges both (a paired comparison).
 * Canary: the predictions each version served, labelled ones paired in the order they were made
 * (the i-th of one with the i-th of the other: different products, independent pairs).
 */

export interface RolloutQualityWindow {
  modelName: string;
  championVersion: string;
  candidateVersion: string;
  /** Predictions made from `from` (inclusive) to `to` (exclusive). */
  from: Date;
  to: Date;
}

export interface LabelledPairs {
  pairs: number;
  championRight: number;
  candidateRight: number;
  /** Pairs only the champion predicted right. */
  championOnly: number;
  /** Pairs only the candidate predicted right. */
  candidateOnly: number;
}

export interface MeanConfidences {
  /** Predictions each mean is over (shadow: pairs; canary: the candidate's served predictions). */
  predictions: number;
  champion: number | null;
  candidate: number | null;
}

// The answers a shadow row mirrors are looked for from an hour before the window on, as the
// shadow comparison does (catalog/src/rollout/shadow-comparison.ts).
const shadowPairs = `shadow_pairs as (
    select p.prediction_id, p.prdtypecode as champion_code, s.prdtypecode as candidate_code,
      p.confidence as champion_confidence, s.confidence as candidate_confidence
    from inference_log s
    join inference_log p on p.prediction_id = s.shadow_of
    where s.shadow_of is not null and s.model_name = $1 and s.model_version = $3
      and p.model_version = $2
      and s.predicted_at >= $4 and s.predicted_at < $5
      and p.predicted_at >= $4::timestamptz - interval '1 hour' and p.predicted_at < $5
  )`;

const outcomeCounts = `count(*)::integer as pairs,
    (count(*) filter (where champion_right))::integer as champion_right,
    (count(*) filter (where candidate_right))::integer as candidate_right,
    (count(*) filter (where champion_right and not candidate_right))::integer as champion_only,
    (count(*) filter (where candidate_right and not champion_right))::integer as candidate_only`;

const shadowLabelledSql = `with ${shadowPairs},
  outcomes as (
    select sp.champion_code = f.prdtypecode as champion_right, sp.candidate_code = f.prdtypecode as candidate_right
    from shadow_pairs sp join prediction_feedback f on f.prediction_id = sp.prediction_id
  )
  select ${outcomeCounts} from outcomes`;

const canaryLabelledSql = `with labelled as (
    select model_version, predicted_code = prdtypecode as right_answer,
      row_number() over (partition by model_version order by predicted_at, prediction_id) as position
    from prediction_feedback
    where model_name = $1 and model_version in ($2, $3) and predicted_at >= $4 and predicted_at < $5
  ),
  outcomes as (
    select champion.right_answer as champion_right, candidate.right_answer as candidate_right
    from labelled champion join labelled candidate using (position)
    where champion.model_version = $2 and candidate.model_version = $3
  )
  select ${outcomeCounts} from outcomes`;

const shadowConfidenceSql = `with ${shadowPairs}
  select count(*)::integer as predictions, avg(champion_confidence) as champion, avg(candidate_confidence) as candidate
  from shadow_pairs`;

const canaryConfidenceSql = `select
    (count(*) filter (where model_version = $3))::integer as predictions,
    avg(confidence) filter (where model_version = $2) as champion,
    avg(confidence) filter (where model_version = $3) as candidate
  from inference_log
  where shadow_of is null and model_name = $1 and model_version in ($2, $3)
    and predicted_at >= $4 and predicted_at < $5`;

interface OutcomeRow {
  pairs: number;
  champion_right: number;
  candidate_right: number;
  champion_only: number;
  candidate_only: number;
}

function parameters(window: RolloutQualityWindow) {
  return [window.modelName, window.championVersion, window.candidateVersion, window.from, window.to];
}

/** The labelled pairs of the step: shadow pairs whose answer has a label, or the canary's labelled predictions paired in order. */
export async function labelledPairs(
  client: pg.ClientBase,
  step: 'shadow' | 'canary',
  window: RolloutQualityWindow,
): Promise<LabelledPairs> {
  const { rows } = await client.query<OutcomeRow>(
    step === 'shadow' ? shadowLabelledSql : canaryLabelledSql,
    parameters(window),
  );
  const row = rows[0] as OutcomeRow;
  return {
    pairs: row.pairs,
    championRight: row.champion_right,
    candidateRight: row.candidate_right,
    championOnly: row.champion_only,
    candidateOnly: row.candidate_only,
  };
}

/** Each version's mean served confidence over the step: the accuracy it estimates when calibrated. */
export async function meanConfidences(
  client: pg.ClientBase,
  step: 'shadow' | 'canary',
  window: RolloutQualityWindow,
): Promise<MeanConfidences> {
  const { rows } = await client.query<MeanConfidences>(
    step === 'shadow' ? shadowConfidenceSql : canaryConfidenceSql,
    parameters(window),
  );
  const row = rows[0] as MeanConfidences;
  return { predictions: row.predictions, champion: row.champion, candidate: row.candidate };
}
